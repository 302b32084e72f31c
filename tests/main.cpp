// The Catch2 main (no tests here): Catch2 v2 on Debian has no Catch2WithMain.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
