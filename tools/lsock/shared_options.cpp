#include "shared_options.hpp"

namespace lsock::cli {

family_preference family_choice(bool v4, bool v6) {
  if (v4) return family_preference::inet;
  if (v6) return family_preference::inet6;
  return family_preference::any;
}

}  // namespace lsock::cli
