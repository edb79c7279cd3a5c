// unix_path_guard: the one owner of a bound unix path's socket file.
#include <filesystem>
#include <utility>

#include "test_support.hpp"

namespace lsock {
namespace {

using test::why;

TEST(UnixPathGuard, RemovesTheFileItsSocketWasBoundTo) {
  test::temp_dir dir;
  const std::string path = dir / "s.sock";
  {
    auto s = socket::bind(socket_type::tcp, path, 0);
    ASSERT_TRUE(s) << why(s);
    const unix_path_guard guard(*s);
    EXPECT_EQ(guard.path(), path);
    EXPECT_TRUE(std::filesystem::exists(path));
  }
  EXPECT_FALSE(std::filesystem::exists(path)) << path << " was left behind";
  // The path is free again: a second run binds it.
  auto again = socket::bind(socket_type::udp, path, 0);
  EXPECT_TRUE(again) << why(again);
}

TEST(UnixPathGuard, LeavesAbstractNamesAndIpEndpointsAlone) {
  auto abstract = socket::bind(socket_type::tcp, test::abstract_name("guard"), 0);
  ASSERT_TRUE(abstract) << why(abstract);
  EXPECT_EQ(unix_path_guard(*abstract->local_endpoint()).path(), "");
  auto ip = socket::bind(socket_type::udp, "127.0.0.1", 0);
  ASSERT_TRUE(ip) << why(ip);
  EXPECT_EQ(unix_path_guard(*ip->local_endpoint()).path(), "");
  EXPECT_EQ(unix_path_guard(endpoint{}).path(), "");
}

TEST(UnixPathGuard, ReleaseKeepsTheFileAndAMoveHandsItOver) {
  test::temp_dir dir;
  const std::string kept = dir / "kept.sock";
  const std::string moved = dir / "moved.sock";
  auto a = socket::bind(socket_type::udp, kept, 0);
  auto b = socket::bind(socket_type::udp, moved, 0);
  ASSERT_TRUE(a && b);
  {
    unix_path_guard guard(*a->local_endpoint());
    guard.release();
    EXPECT_EQ(guard.path(), "");
  }
  EXPECT_TRUE(std::filesystem::exists(kept));
  unix_path_guard outer;
  {
    unix_path_guard inner(*b->local_endpoint());
    outer = std::move(inner);
  }
  EXPECT_TRUE(std::filesystem::exists(moved)) << "the moved-from guard removed the file";
  EXPECT_EQ(outer.path(), moved);
  outer = unix_path_guard();
  EXPECT_FALSE(std::filesystem::exists(moved));
}

}  // namespace
}  // namespace lsock
