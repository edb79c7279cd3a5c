# The Lua versions to build modules for, and lsock_lua_module() to build one module for each.
#
# Found here: Lua 5.1, 5.2, 5.3, 5.4 (Debian's liblua5.X-dev: /usr/include/lua5.X) and LuaJIT 2.1
# (libluajit-5.1-dev: /usr/include/luajit-2.1). Modules are not linked against liblua: the
# interpreter that loads them provides the Lua API. LuaJIT has Lua 5.1's ABI and searches Lua
# 5.1's directories (/usr/local/lib/lua/5.1/), so the 5.1 build is the one installed for both;
# the build against LuaJIT's own headers shows that lua/compat.hpp does not clash with them,
# and is installed only when there are no Lua 5.1 headers.
#
# LSOCK_LUA_INCLUDE_DIR: build for the one Lua whose lua.h is there (the rockspec passes the
# headers of the Lua luarocks runs); its version is read from lua.h.
# LSOCK_LUA_CMOD_DIR: install directory of that one module, or else of the Lua 5.4 module
# (default: <root>/<5.X>).
# LSOCK_LUA_CMOD_ROOT: each module goes to <root>/<5.X> (default lib/lua). Both relative to the
# prefix, or absolute.
#
# Results (global properties, so tests/ sees them): LSOCK_LUA_VERSIONS (e.g. 5.1;5.2;5.4;luajit),
# and per version V: LSOCK_LUA_<V>_INCLUDE_DIR, LSOCK_LUA_<V>_INTERPRETER (empty when missing),
# LSOCK_LUA_<V>_ABI (5.X), LSOCK_LUA_<V>_CMOD_DIR (empty: not installed), LSOCK_LUA_MISSING
# (V: reason;...).

set(LSOCK_LUA_INCLUDE_DIR "" CACHE PATH "Build only for the Lua whose lua.h is in this directory")
set(LSOCK_LUA_CMOD_DIR "" CACHE STRING "Install directory of that module, or of the 5.4 one (relative to the prefix, or absolute)")
set(LSOCK_LUA_CMOD_ROOT lib/lua CACHE STRING "Modules install to <root>/<5.X> (relative to the prefix, or absolute)")

# The "5.X" of the lua.h in `dir` (LuaJIT's says 5.1), or "" when there is none.
function(_lsock_lua_header_version dir out)
  set(v "")
  if(EXISTS "${dir}/lua.h")
    file(STRINGS "${dir}/lua.h" num REGEX "^#define[ \t]+LUA_VERSION_NUM[ \t]+[0-9]+")
    if(num MATCHES "([0-9])0([0-9])$")
      set(v "${CMAKE_MATCH_1}.${CMAKE_MATCH_2}")
    endif()
  endif()
  set(${out} "${v}" PARENT_SCOPE)
endfunction()

function(_lsock_lua_found v include_dir abi interpreter cmod_dir)
  set_property(GLOBAL APPEND PROPERTY LSOCK_LUA_VERSIONS ${v})
  set_property(GLOBAL PROPERTY LSOCK_LUA_${v}_INCLUDE_DIR ${include_dir})
  set_property(GLOBAL PROPERTY LSOCK_LUA_${v}_ABI ${abi})
  set_property(GLOBAL PROPERTY LSOCK_LUA_${v}_INTERPRETER "${interpreter}")
  set_property(GLOBAL PROPERTY LSOCK_LUA_${v}_CMOD_DIR "${cmod_dir}")
endfunction()

function(_lsock_lua_discover)
  set_property(GLOBAL PROPERTY LSOCK_LUA_VERSIONS "")
  set_property(GLOBAL PROPERTY LSOCK_LUA_MISSING "")
  if(IS_ABSOLUTE "${LSOCK_LUA_CMOD_ROOT}")
    set(root ${LSOCK_LUA_CMOD_ROOT})
  else()
    set(root ${CMAKE_INSTALL_PREFIX}/${LSOCK_LUA_CMOD_ROOT})
  endif()

  if(LSOCK_LUA_INCLUDE_DIR)
    _lsock_lua_header_version("${LSOCK_LUA_INCLUDE_DIR}" abi)
    if(NOT abi)
      message(FATAL_ERROR "LSOCK_LUA_INCLUDE_DIR=${LSOCK_LUA_INCLUDE_DIR} holds no lua.h")
    endif()
    set(v ${abi})
    if(EXISTS "${LSOCK_LUA_INCLUDE_DIR}/luajit.h")
      set(v luajit)
    endif()
    set(dir "${LSOCK_LUA_CMOD_DIR}")
    if(NOT dir)
      set(dir ${root}/${abi})
    elseif(NOT IS_ABSOLUTE "${dir}")
      set(dir ${CMAKE_INSTALL_PREFIX}/${dir})
    endif()
    find_program(LSOCK_LUA_${v}_EXE NAMES lua${abi} lua)
    _lsock_lua_found(${v} "${LSOCK_LUA_INCLUDE_DIR}" ${abi} "${LSOCK_LUA_${v}_EXE}" "${dir}")
    message(STATUS "Lua modules: built for ${v} only (${LSOCK_LUA_INCLUDE_DIR}), installed to ${dir}")
    if(v STREQUAL "5.4")
      # The fault and fuzz tests compile the 5.4 module's sources with these headers.
      set(LUA_INCLUDE_DIR "${LSOCK_LUA_INCLUDE_DIR}" CACHE PATH "Lua 5.4 headers" FORCE)
    endif()
    return()
  endif()

  set(built "")
  set(skipped "")
  foreach(v 5.1 5.2 5.3 5.4 luajit)
    if(v STREQUAL "luajit")
      set(abi 5.1)
      find_path(LSOCK_LUA_luajit_INCLUDE luajit.h PATH_SUFFIXES luajit-2.1)
      find_program(LSOCK_LUA_luajit_EXE luajit)
      set(pkg libluajit-5.1-dev)
    else()
      set(abi ${v})
      if(v STREQUAL "5.4")
        # LUA_INCLUDE_DIR: the 5.4 headers, also used by the fault and fuzz tests.
        find_path(LUA_INCLUDE_DIR lua.h PATH_SUFFIXES lua5.4)
        set(LSOCK_LUA_5.4_INCLUDE ${LUA_INCLUDE_DIR})
      else()
        find_path(LSOCK_LUA_${v}_INCLUDE lua.h PATH_SUFFIXES lua${v})
      endif()
      find_program(LSOCK_LUA_${v}_EXE NAMES lua${v} lua-${v})
      set(pkg liblua${v}-dev)
      if(v STREQUAL "5.1")
        set(pkg liblua5.1-0-dev)
      endif()
    endif()
    set(inc ${LSOCK_LUA_${v}_INCLUDE})
    set(have "")
    if(inc)
      _lsock_lua_header_version("${inc}" have)
    endif()
    if(NOT have STREQUAL abi)
      list(APPEND skipped "${v} (no Lua ${abi} headers: ${pkg})")
      set_property(GLOBAL APPEND PROPERTY LSOCK_LUA_MISSING "${v}: no Lua ${abi} headers (${pkg})")
      continue()
    endif()
    # LuaJIT's build is installed only when there is no 5.1 build to serve it.
    set(dir ${root}/${abi})
    if(v STREQUAL "luajit" AND "5.1" IN_LIST built)
      set(dir "")
    elseif(v STREQUAL "5.4" AND LSOCK_LUA_CMOD_DIR)
      set(dir ${LSOCK_LUA_CMOD_DIR})
      if(NOT IS_ABSOLUTE "${dir}")
        set(dir ${CMAKE_INSTALL_PREFIX}/${dir})
      endif()
    endif()
    _lsock_lua_found(${v} "${inc}" ${abi} "${LSOCK_LUA_${v}_EXE}" "${dir}")
    list(APPEND built ${v})
    if(NOT LSOCK_LUA_${v}_EXE)
      list(APPEND skipped "${v} tests (no interpreter)")
    endif()
  endforeach()
  list(JOIN built ", " built)
  list(JOIN skipped "; " skipped)
  message(STATUS "Lua modules: built for ${built}")
  if(skipped)
    message(STATUS "Lua modules: skipped ${skipped}")
  endif()
endfunction()

# lsock_lua_module(<name> SOURCES <files>... [LIBRARIES <targets>...] [LINK_OPTIONS <opts>...]
#                  [NO_INSTALL])
# Builds <name>.so for every version found: build/<preset>/lua/<V>/<name>.so, installed (component
# lua) into that version's directory unless NO_INSTALL. The sources include "compat.hpp". Targets: <name> for 5.4 (also written to
# build/<preset>/lua/<name>.so), <name>_<V> for the others.
function(lsock_lua_module name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "NO_INSTALL" "" "SOURCES;LIBRARIES;LINK_OPTIONS")
  get_property(versions GLOBAL PROPERTY LSOCK_LUA_VERSIONS)
  foreach(v IN LISTS versions)
    get_property(inc GLOBAL PROPERTY LSOCK_LUA_${v}_INCLUDE_DIR)
    get_property(cmod_dir GLOBAL PROPERTY LSOCK_LUA_${v}_CMOD_DIR)
    if(v STREQUAL "5.4")
      set(target ${name})
      set(out_dir ${CMAKE_BINARY_DIR}/lua)
    else()
      set(target ${name}_${v})
      set(out_dir ${CMAKE_BINARY_DIR}/lua/${v})
    endif()
    add_library(${target} MODULE ${arg_SOURCES})
    # SYSTEM: the Lua headers' own constructs are not ours to warn about.
    target_include_directories(${target} SYSTEM PRIVATE ${inc})
    target_include_directories(${target} PRIVATE ${CMAKE_CURRENT_FUNCTION_LIST_DIR})
    target_link_libraries(${target} PRIVATE ${arg_LIBRARIES} lsock_flags)
    target_link_options(${target} PRIVATE ${arg_LINK_OPTIONS})
    set_target_properties(${target} PROPERTIES
      PREFIX ""
      OUTPUT_NAME ${name}
      LIBRARY_OUTPUT_DIRECTORY ${out_dir}
      CXX_VISIBILITY_PRESET hidden
      VISIBILITY_INLINES_HIDDEN ON)
    if(v STREQUAL "5.4")
      # build/<preset>/lua/5.4/<name>.so too, so every version has its own directory.
      add_custom_command(TARGET ${target} POST_BUILD
        COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/lua/5.4
        COMMAND ${CMAKE_COMMAND} -E create_symlink ../${name}.so ${CMAKE_BINARY_DIR}/lua/5.4/${name}.so
        VERBATIM)
    endif()
    if(cmod_dir AND NOT arg_NO_INSTALL)
      # Component "lua": `cmake --install <build> --component lua` installs the modules alone.
      install(TARGETS ${target} LIBRARY DESTINATION ${cmod_dir} COMPONENT lua)
    endif()
  endforeach()
endfunction()

_lsock_lua_discover()
