#pragma once
#include "lua_shim.h"
