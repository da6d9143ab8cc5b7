// What vitest.config.ts provides to the workers project's tests (`inject` from vitest): the
// fuzzing knobs read from the environment (README, "Fuzzing"; test/helpers/fuzz.ts).

import 'vitest'

declare module 'vitest' {
  interface ProvidedContext {
    /** FUZZ_SCALE: multiplies every property's runs. */
    fuzzScale: number
    /** FUZZ_SEED and FUZZ_PATH: replay one failure. */
    fuzzSeed: number | null
    fuzzPath: string | null
  }
}
