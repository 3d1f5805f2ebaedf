/* editline_shim.h: libedit's native interface (BSD licence). GNU readline is
** also installed on Debian machines; it is GPL and not used. */
#ifndef FOTA_EDITLINE_SHIM_H
#define FOTA_EDITLINE_SHIM_H
#include <stdio.h>
#include <histedit.h>
#endif
