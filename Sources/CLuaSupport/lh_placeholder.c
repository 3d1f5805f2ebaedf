#include "lh.h"
