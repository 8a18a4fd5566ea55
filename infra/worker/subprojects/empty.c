/* Compiled into the placeholder static libraries of the shim subprojects:
 * mediasoup's meson.build wants a library to `link_whole`, while the real
 * code comes from the system's shared library through the *_dep object. */
typedef int diemcau_shim_empty_translation_unit;
