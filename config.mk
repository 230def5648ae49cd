# perfbisect build settings; override on the make command line.
VERSION = 0.1.0

PREFIX = /usr/local
MANPREFIX = $(PREFIX)/share/man
DESTDIR =

CC ?= cc
PKG_CONFIG = pkg-config
INSTALL = install

# Where objects and test binaries go (make BUILD=/tmp/b keeps trees apart).
BUILD = build

CFLAGS = -O2 -g
LDFLAGS =
