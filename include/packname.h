/*
 * packname: the labels of several packs read at once, and the output file
 * names made from them.
 *
 * Every source has a label: the name the user gave it (bank1=/dev/ttyUSB0),
 * else one made from where it reads: a serial port's /dev/serial/by-id
 * name (without "usb-" and "-ifNN-portN"), a bridge's host, a file's name
 * ("stdin" for -).
 * Labels are made of letters, digits, '.', '_' and '-' only, so they go
 * into file names and JSON strings as they are; two sources never share
 * one ("-2", "-3" is added).
 *
 * An output path with %n in it (--log pack-%n.csv) is a pattern: %n is
 * the label, %% a percent sign.
 *
 * Pure: no I/O, no allocation, no globals.
 */
#ifndef CG_PACKNAME_H
#define CG_PACKNAME_H

#include <stdbool.h>
#include <stddef.h>

#define CG_PACKNAME_MAX 33 /* 32 characters and the NUL */

/* True for a label the user may give: 1 to 32 of [A-Za-z0-9._-], not
 * starting with '.' or '-'. */
bool cg_packname_valid(const char *name);

/* "NAME=PATH" with a valid NAME: copies NAME into name (CG_PACKNAME_MAX)
 * and returns PATH; otherwise arg is a path as it is: returns arg and
 * leaves name "". tcp://h/?a=b is a path (':' and '/' are no name's). */
const char *cg_packname_split(const char *arg, char name[CG_PACKNAME_MAX]);

/* The default label of path: by_id (a /dev/serial/by-id name, or NULL or
 * "" when there is none) trimmed, else the host of a scheme://HOST:PORT/
 * URL, else the file name; anything outside the label's characters
 * becomes '_'. Never empty ("pack" at worst). */
void cg_packname_default(const char *path, const char *by_id,
			 char out[CG_PACKNAME_MAX]);

/* Makes the n labels distinct: a label seen before gets "-2", "-3", ...
 * (shortened to fit). */
void cg_packname_unique(char (*labels)[CG_PACKNAME_MAX], int n);

/* True when pattern holds %n. */
bool cg_packname_is_pattern(const char *pattern);

/* pattern with %n replaced by label and %% by %. Returns 0, or -1 when
 * the result does not fit cap. */
int cg_packname_expand(const char *pattern, const char *label, char *out,
		       size_t cap);

#endif
