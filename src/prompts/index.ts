// The prompts this server offers, in listing order. To add one: write src/prompts/<name>.ts with
// definePrompt (see code-review.ts), then add it here.

import { codeReview } from './code-review.ts'
import type { Prompt } from './define.ts'
import { serverTour } from './server-tour.ts'

export const PROMPTS: readonly Prompt[] = [codeReview, serverTour]
