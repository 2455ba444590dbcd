/* cmd_sweep.c: placeholder */
#include "commands.h"
int cmd_sweep(int argc, char **argv) { (void)argc; (void)argv; return 2; }
