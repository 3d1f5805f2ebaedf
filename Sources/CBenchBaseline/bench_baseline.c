#include "bench_baseline.h"
