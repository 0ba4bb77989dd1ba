/*
 * synth.h - the deterministic random numbers of tte's synthetic-data
 * generators (gen-forms, gen-status): splitmix64, fast and the same on
 * every platform, so the same arguments always give the same bytes.
 */
#ifndef TTE_SYNTH_H
#define TTE_SYNTH_H

#include <stdint.h>

/* The generator's state; a tool seeds it by assignment. */
static uint64_t rng_state;

static inline uint32_t rnd(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return (uint32_t)((z ^ (z >> 31)) >> 32);
}

#endif
