/* Second translation unit: the same header forced onto the portable path,
   everything static, exported through plain wrappers so test.c can compare
   the scalar path with the SIMD path inside one program. */
#define CORALPERF_STATIC
#define CORALPERF_NO_STB_DS_IMPLEMENTATION /* the other unit compiles stb_ds */
#ifndef CORALPERF_HASH_SCALAR
#define CORALPERF_HASH_SCALAR
#endif
#include "coralperf.h"

#include "xxhash_peer.h" /* the scalar-forced unit's wrappers */

uint64_t scalar_hash64(const void *p, size_t n, uint64_t seed) { return cpf_hash64(p, n, seed); }
cpf_u128 scalar_hash128(const void *p, size_t n, uint64_t seed) { return cpf_hash128(p, n, seed); }
const char *scalar_backend(void) { return cpf_hash_backend(); }
uint64_t scalar_stream64(const void *p, size_t n, size_t piece, uint64_t seed)
{
    cpf_hasher h;
    const unsigned char *c = (const unsigned char *)p;
    cpf_hasher_init(&h, seed);
    while (n) {
        size_t k = n < piece ? n : piece;
        cpf_hasher_update(&h, c, k);
        c += k;
        n -= k;
    }
    return cpf_hasher_digest64(&h);
}
