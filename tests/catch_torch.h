#pragma once
// Include this instead of <catch2/catch.hpp> in every test file. Debian's libtorch pulls in glog,
// whose CHECK macro (a fatal assert) would silently replace Catch's CHECK in any file that includes
// a torch header after Catch. Including glog's header first and then Catch keeps Catch's CHECK.
#include <c10/util/Logging.h>
#undef CHECK
#include <catch2/catch.hpp>
