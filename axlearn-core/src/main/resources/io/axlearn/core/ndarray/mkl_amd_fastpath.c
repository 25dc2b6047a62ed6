/*
 * Preloaded (LD_PRELOAD) into the JVM by ./axlearn on AMD CPUs, or loaded with global symbol
 * visibility by io.axlearn.core.ndarray.MklFastpath before libtorch in a JVM started without it.
 *
 * The MKL statically linked into DJL's libtorch_cpu.so asks mkl_serv_intel_cpu_true() whether it
 * runs on an Intel CPU and, on any other vendor, falls back to a generic code path that ignores
 * AVX2/AVX-512. libtorch_cpu.so exports that symbol dynamically, so this definition interposes it
 * and lets MKL choose kernels by the CPU's real instruction set. Off with AXLEARN_MKL_FASTPATH=0.
 * See docs/performance.md for what it changes and the measurements.
 */
int mkl_serv_intel_cpu_true(void) { return 1; }
