/* xxhash_peer.h - the portable-path wrappers that xxhash_peer_scalar.c
   defines (built with CORALPERF_HASH_SCALAR) and xxhash_peer.c compares
   with the SIMD path. Include after coralperf.h. */
#ifndef XXHASH_PEER_H
#define XXHASH_PEER_H
#ifdef __cplusplus
extern "C" {
#endif
uint64_t scalar_hash64(const void *p, size_t n, uint64_t seed);
cpf_u128 scalar_hash128(const void *p, size_t n, uint64_t seed);
const char *scalar_backend(void);
uint64_t scalar_stream64(const void *p, size_t n, size_t piece, uint64_t seed);
#ifdef __cplusplus
}
#endif
#endif
