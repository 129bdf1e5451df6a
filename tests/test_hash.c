/* Hashing: XXH3-64/128 against values computed with libxxhash 0.8.1
   (XXH3_64bits_withSeed / XXH3_128bits_withSeed, Debian libxxhash-dev) over
   the same deterministic bytes, written here so the test runs on every
   target without the peer; SMHasher's verification procedure; streaming
   equals one-shot for any split. tests/xxhash_peer.c (run by make test when
   xxhash.h is installed) compares every length 0..4096 and random lengths
   up to 16 MiB directly with libxxhash. */
#include "coralperf.h"
#include "tinytest.h"
#include <stdlib.h>

/* splitmix64: the bytes the reference values were computed over */
static uint64_t rng_state;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static unsigned char *reference_bytes(size_t n)
{
    unsigned char *b = (unsigned char *)malloc(n);
    size_t i;
    rng_state = 0x853c49e6748fea9bull;
    if (b) for (i = 0; i < n; i++) b[i] = (unsigned char)(rnd() >> 56);
    return b;
}

/* libxxhash 0.8.1: length, seed, XXH3-64, XXH3-128 low64, high64 */
static const struct { unsigned long len; uint64_t seed, h64, lo, hi; } ref[] = {
    {       0, 0x0000000000000000ull, 0x2D06800538D394C2ull, 0x6001C324468D497Full, 0x99AA06D3014798D8ull },
    {       0, 0x0000000000000001ull, 0x4DC5B0CC826F6703ull, 0x6131B78F753823CDull, 0xD9265CC53BB2B9AEull },
    {       0, 0x8000000000000000ull, 0x1FDB4382F72040B7ull, 0xD2D7C8011F91B96Cull, 0x96B3C2C55B1C74BCull },
    {       1, 0x0000000000000000ull, 0xC23E93D44DDB645Bull, 0xC23E93D44DDB645Bull, 0x4BD81D5A8A9BC001ull },
    {       1, 0x0000000000000001ull, 0x07BD895F1196EE41ull, 0x07BD895F1196EE41ull, 0x3137C81C3719087Full },
    {       1, 0x8000000000000000ull, 0x6D72A076C58BCD2Full, 0x6D72A076C58BCD2Full, 0x0AA92B6E150865A7ull },
    {       2, 0x0000000000000000ull, 0xCC1D42E0AB3FB0A2ull, 0xCC1D42E0AB3FB0A2ull, 0xE6A427DB9E982738ull },
    {       2, 0x0000000000000001ull, 0x53CDEC6D717FBB04ull, 0x53CDEC6D717FBB04ull, 0x4DF5A972BBE39520ull },
    {       2, 0x8000000000000000ull, 0x2D8676E1AD677435ull, 0x2D8676E1AD677435ull, 0xA67B1AAA1CE43357ull },
    {       3, 0x0000000000000000ull, 0xD586E59DE1B220D5ull, 0xD586E59DE1B220D5ull, 0xAE18104215E3CA9Aull },
    {       3, 0x0000000000000001ull, 0x257D4A3AAA19532Bull, 0x257D4A3AAA19532Bull, 0x97CA1649ACD2DBBBull },
    {       3, 0x8000000000000000ull, 0x61D06A408B79669Aull, 0x61D06A408B79669Aull, 0xFA498CE3CE61B249ull },
    {       4, 0x0000000000000000ull, 0xC3177AADD5210D8Bull, 0xB8209454D56A6490ull, 0xA03F64048803921Aull },
    {       4, 0x0000000000000001ull, 0x210FBE144BD859B8ull, 0x2FFE6B2BD62AEFEAull, 0x6805ECD69B902D6Cull },
    {       4, 0x8000000000000000ull, 0x96BF58C057F0239Cull, 0xAEC9D9F3AFFD498Dull, 0x9B2DD5B0595D8F5Eull },
    {       8, 0x0000000000000000ull, 0x4EB6031302B060CAull, 0x408B7F5328FB04BBull, 0x71D4BABDCE2A6E5Dull },
    {       8, 0x0000000000000001ull, 0x7A8F2278994F7A3Full, 0x262A3263C25183FAull, 0xBED21757800C9E73ull },
    {       8, 0x8000000000000000ull, 0x0C87670F8FCE481Aull, 0x14AB5D87567F5CE2ull, 0x15877CD2B1EA3477ull },
    {       9, 0x0000000000000000ull, 0xA328CC5DB91E4638ull, 0xD6987F57A0A2F67Dull, 0x55099E962FBFDC9Full },
    {       9, 0x0000000000000001ull, 0x5E33E6FB96B89E20ull, 0x8823207EC013814Cull, 0xF7D2F1EFE1316FC1ull },
    {       9, 0x8000000000000000ull, 0x7B7768234CA11935ull, 0x90746F94D45A5204ull, 0x79C32AF0FE759140ull },
    {      16, 0x0000000000000000ull, 0xF32FF023237841C4ull, 0x944EB8C33262DC7Full, 0xE540EDA7D00F9AA1ull },
    {      16, 0x0000000000000001ull, 0xE61549B7E9F2E617ull, 0xB053AF703A7A5449ull, 0x40781795803E48F9ull },
    {      16, 0x8000000000000000ull, 0x53AA9F69E9ABEF33ull, 0x956AC7BB0F2EB966ull, 0x721FD863C425812Full },
    {      17, 0x0000000000000000ull, 0xC16031DB70D3FFF0ull, 0x4F1061159F466684ull, 0xE23AF810F74DE52Aull },
    {      17, 0x0000000000000001ull, 0x355FB8A30B385662ull, 0x4E9407E9CDDC6394ull, 0x9DD885EDC29379FDull },
    {      17, 0x8000000000000000ull, 0x542BD019A3177906ull, 0x7106B6A41BDE068Full, 0xA5B030DB63BDBE74ull },
    {     128, 0x0000000000000000ull, 0x3DBD17BFD84B560Eull, 0xB2977508628AE3F3ull, 0xFEBF162BF747EB44ull },
    {     128, 0x0000000000000001ull, 0xC1DCD92ECA96B5D3ull, 0xD16118F8C46DE677ull, 0x73DC11C6AF72E1F2ull },
    {     128, 0x8000000000000000ull, 0x2218A7069135DEF5ull, 0x7FAECACFA7B853C1ull, 0x55650157B6E441FBull },
    {     129, 0x0000000000000000ull, 0x021F00ED1AE08372ull, 0x95F85CC67CC2F3F3ull, 0x73EC532219DA17E2ull },
    {     129, 0x0000000000000001ull, 0xA5F527AF52D13E15ull, 0x29E4D6A29216E500ull, 0x15893A5DF2D180D4ull },
    {     129, 0x8000000000000000ull, 0x53CF2214121551CFull, 0x07825F38D73679DDull, 0x22F3C2BBEBC7D441ull },
    {     240, 0x0000000000000000ull, 0x36ADCE53270B990Eull, 0x3FFC3DD32F874E52ull, 0xEBF399BC27EEC9E3ull },
    {     240, 0x0000000000000001ull, 0x3E69DD495209D344ull, 0x55FF187D4C338727ull, 0x465CC4BF493A61D7ull },
    {     240, 0x8000000000000000ull, 0x12E55C9A5DB1A800ull, 0x59EAA8557D26272Cull, 0x39764E723EF87F01ull },
    {     241, 0x0000000000000000ull, 0x47C676A2EBC60713ull, 0x47C676A2EBC60713ull, 0xFF264DAB20750823ull },
    {     241, 0x0000000000000001ull, 0x12C92B914C4594A3ull, 0x12C92B914C4594A3ull, 0xC2AC8D911C45819Eull },
    {     241, 0x8000000000000000ull, 0xFCC25F7D119EF3D9ull, 0xFCC25F7D119EF3D9ull, 0x3F2A6041E5CCDD0Eull },
    {     255, 0x0000000000000000ull, 0xED236A54DD55B6D2ull, 0xED236A54DD55B6D2ull, 0xB7682CC65FCA561Aull },
    {     255, 0x0000000000000001ull, 0x73C318BCE93D8C26ull, 0x73C318BCE93D8C26ull, 0x03262391B71ED7A0ull },
    {     255, 0x8000000000000000ull, 0xC12C8C0278FA1201ull, 0xC12C8C0278FA1201ull, 0xFF5FC5D8063F5F96ull },
    {     256, 0x0000000000000000ull, 0xBD6BA2E9E37E08EBull, 0xBD6BA2E9E37E08EBull, 0xD8559F505100653Eull },
    {     256, 0x0000000000000001ull, 0x16C2F568F1901C68ull, 0x16C2F568F1901C68ull, 0x792AABB22CD335AFull },
    {     256, 0x8000000000000000ull, 0x927AC2AA48E07494ull, 0x927AC2AA48E07494ull, 0xB4BE63C064DCEC40ull },
    {    1024, 0x0000000000000000ull, 0xB2B1EB191161422Eull, 0xB2B1EB191161422Eull, 0xE73B4A93812D5786ull },
    {    1024, 0x0000000000000001ull, 0xA6740307C1CBD441ull, 0xA6740307C1CBD441ull, 0x0C795DF77E9D59E0ull },
    {    1024, 0x8000000000000000ull, 0x15946B1C6D5C1415ull, 0x15946B1C6D5C1415ull, 0x9D963C89AA6F0F6Bull },
    {    4096, 0x0000000000000000ull, 0xBA61BCC0503A28C1ull, 0xBA61BCC0503A28C1ull, 0xE9DD067DC6B89CF2ull },
    {    4096, 0x0000000000000001ull, 0x2B6A3610E02EF1FAull, 0x2B6A3610E02EF1FAull, 0x105933C9FE0EDBA6ull },
    {    4096, 0x8000000000000000ull, 0x32C82EB1D41A01F0ull, 0x32C82EB1D41A01F0ull, 0x2199A5AA40776CC1ull },
    {  100000, 0x0000000000000000ull, 0xCED3066C90FFE3CDull, 0xCED3066C90FFE3CDull, 0x7AE3C1E452C0C313ull },
    {  100000, 0x0000000000000001ull, 0x05940012EF2FE555ull, 0x05940012EF2FE555ull, 0xB78A51DB900B93E6ull },
    {  100000, 0x8000000000000000ull, 0x6E79B5AD33AA06B2ull, 0x6E79B5AD33AA06B2ull, 0xFBC4DA9BDCBAC1D7ull },
    { 1048576, 0x0000000000000000ull, 0x1365A92B07A875CDull, 0x1365A92B07A875CDull, 0x025535792C8B54F9ull },
    { 1048576, 0x0000000000000001ull, 0x74EAB9538540D562ull, 0x74EAB9538540D562ull, 0xE7BC2A04B0445DF6ull },
    { 1048576, 0x8000000000000000ull, 0xBA0788B57085F81Eull, 0xBA0788B57085F81Eull, 0x055B1EDE2ECD492Eull },
};

static void test_hash_matches_libxxhash_at_every_size_class(void)
{
    /* lengths cover every XXH3 path: 0, 1-3, 4-8, 9-16, 17-128, 129-240,
       and the striped long-input loop (one block, many blocks, 1 MiB) */
    const size_t n = 1048576;
    unsigned char *b = reference_bytes(n);
    size_t i;
    CHECK(b != NULL);
    if (!b) return;
    for (i = 0; i < sizeof ref / sizeof ref[0]; i++) {
        cpf_u128 h = cpf_hash128(b, ref[i].len, ref[i].seed);
        CHECK_MSG(cpf_hash64(b, ref[i].len, ref[i].seed) == ref[i].h64, "64-bit, len %lu seed %llx", ref[i].len, (unsigned long long)ref[i].seed);
        CHECK_MSG(h.lo == ref[i].lo && h.hi == ref[i].hi, "128-bit, len %lu seed %llx", ref[i].len, (unsigned long long)ref[i].seed);
    }
    free(b);
}

static void put64(unsigned char *p, uint64_t v) { int i; for (i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i)); }

static void test_smhasher_verification_values(void)
{
    /* SMHasher VerificationTest: keys 0..255 bytes (key[i] = i), each hashed
       with seed 256 - len; the hashes, little-endian, hashed with seed 0;
       the first 4 bytes as a little-endian uint32. libxxhash 0.8.1 gives
       0x9A636405 / 0x5AE48E84. (SMHasher's own table lists 0x39CD9E4A /
       0xEB61B3A0, recorded with the pre-0.8 experimental XXH3; XXH3's output
       changed when it was frozen in xxHash 0.8.0.) */
    unsigned char key[256], h64[256 * 8], h128[256 * 16];
    int i;
    uint64_t f64;
    cpf_u128 f128;
    for (i = 0; i < 256; i++) key[i] = (unsigned char)i;
    for (i = 0; i < 256; i++) {
        cpf_u128 h = cpf_hash128(key, (size_t)i, (uint64_t)(256 - i));
        put64(h64 + 8 * i, cpf_hash64(key, (size_t)i, (uint64_t)(256 - i)));
        put64(h128 + 16 * i, h.lo);
        put64(h128 + 16 * i + 8, h.hi);
    }
    f64 = cpf_hash64(h64, sizeof h64, 0);
    f128 = cpf_hash128(h128, sizeof h128, 0);
    CHECK_MSG((uint32_t)f64 == 0x9A636405u, "XXH3-64 verification 0x%08X", (unsigned)(uint32_t)f64);
    CHECK_MSG((uint32_t)f128.lo == 0x5AE48E84u, "XXH3-128 verification 0x%08X", (unsigned)(uint32_t)f128.lo);
}

static void test_streaming_equals_one_shot_for_every_split(void)
{
    const size_t n = 3000;
    unsigned char *b = reference_bytes(n);
    size_t len, cut, pieces;
    int bad = 0;
    if (!b) { CHECK(b != NULL); return; }
    rng_state = 42;
    /* every length up to 600 split once everywhere, plus random multi-way splits */
    for (len = 0; len <= 600; len += 7) {
        uint64_t want = cpf_hash64(b, len, 3);
        for (cut = 0; cut <= len; cut++) {
            cpf_hasher h;
            cpf_hasher_init(&h, 3);
            cpf_hasher_update(&h, b, cut);
            cpf_hasher_update(&h, b + cut, len - cut);
            if (cpf_hasher_digest64(&h) != want) bad++;
        }
    }
    for (pieces = 0; pieces < 200; pieces++) {
        size_t total = (size_t)(rnd() % n), at = 0;
        uint64_t seed = rnd();
        cpf_u128 want = cpf_hash128(b, total, seed), got;
        cpf_hasher h;
        cpf_hasher_init(&h, seed);
        while (at < total) {
            size_t k = (size_t)(rnd() % 300);
            if (k > total - at) k = total - at;
            cpf_hasher_update(&h, b + at, k);
            at += k;
        }
        got = cpf_hasher_digest128(&h);
        if (got.lo != want.lo || got.hi != want.hi || cpf_hasher_digest64(&h) != cpf_hash64(b, total, seed)) bad++;
    }
    CHECK_MSG(bad == 0, "%d splits disagree", bad);
    free(b);
}

static void test_digest_leaves_the_stream_usable(void)
{
    unsigned char *b = reference_bytes(2000);
    cpf_hasher h, fork;
    if (!b) { CHECK(b != NULL); return; }
    cpf_hasher_init(&h, 7);
    cpf_hasher_update(&h, b, 700);
    CHECK(cpf_hasher_digest64(&h) == cpf_hash64(b, 700, 7));
    memcpy(&fork, &h, sizeof h);              /* a plain value: copies fork the stream */
    cpf_hasher_update(&h, b + 700, 1300);
    CHECK(cpf_hasher_digest64(&h) == cpf_hash64(b, 2000, 7));
    CHECK(cpf_hasher_digest64(&fork) == cpf_hash64(b, 700, 7));
    cpf_hasher_update(&h, NULL, 0);
    CHECK(cpf_hasher_digest64(&h) == cpf_hash64(b, 2000, 7));
    CHECK(cpf_hash64(NULL, 0, 0) == 0x2D06800538D394C2ull);  /* XXH3_64bits of nothing */
    CHECK(strcmp(cpf_hash_backend(), "scalar") == 0 || strcmp(cpf_hash_backend(), "sse2") == 0 ||
          strcmp(cpf_hash_backend(), "avx2") == 0 || strcmp(cpf_hash_backend(), "avx512") == 0 ||
          strcmp(cpf_hash_backend(), "neon") == 0);
    free(b);
}

void tests_hash(void)
{
    RUN(test_hash_matches_libxxhash_at_every_size_class);
    RUN(test_smhasher_verification_values);
    RUN(test_streaming_equals_one_shot_for_every_split);
    RUN(test_digest_leaves_the_stream_usable);
}
