#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <unistd.h>

static volatile unsigned long sink;

static inline unsigned long mix(unsigned long x) {
    for (int i = 0; i < 64; i++) {
        x = x * 6364136223846793005UL + 1442695040888963407UL;
        x ^= x >> 29;
    }
    return x;
}

static inline unsigned long step(unsigned long x) {
    return mix(x) + mix(x ^ 0x9e3779b97f4a7c15UL);
}

__attribute__((noinline)) unsigned long hash_block(unsigned long seed, int n) {
    unsigned long h = seed;
    for (int i = 0; i < n; i++) {
        h = step(h + i);
    }
    return h;
}

__attribute__((noinline)) unsigned long sort_like(unsigned long seed, int n) {
    unsigned long a[64];
    for (int i = 0; i < 64; i++) a[i] = mix(seed + i);
    for (int r = 0; r < n; r++)
        for (int i = 1; i < 64; i++)
            if (a[i - 1] > a[i]) { unsigned long t = a[i]; a[i] = a[i - 1]; a[i - 1] = t; a[0] = mix(a[0] + r); }
    return a[0];
}

__attribute__((noinline)) void write_out(int fd, int n) {
    char buf[256] = {0};
    for (int i = 0; i < n; i++) {
        buf[i & 255] = (char) mix(i);
        if (write(fd, buf, sizeof buf) < 0) exit(1);
    }
}

int main(int argc, char **argv) {
    long rounds = argc > 1 ? atol(argv[1]) : 20000;
    int fd = open("/dev/null", O_WRONLY);
    for (long r = 0; r < rounds; r++) {
        sink += hash_block(r, 200);
        sink += sort_like(r, 4);
        write_out(fd, 40);
    }
    printf("%lu\n", sink);
    return 0;
}
