// code_review: a prompt with arguments, one optional, one with completion. The classic example
// of the specification's prompts page.

import * as v from 'valibot'
import { completeFrom } from '../protocol/completer.ts'
import { LOGO_ICON } from '../resources/logo.ts'
import { definePrompt, user } from './define.ts'

const LANGUAGES = ['c', 'go', 'java', 'javascript', 'python', 'ruby', 'rust', 'typescript']

export const codeReview = definePrompt({
  name: 'code_review',
  title: 'Code review',
  description: 'Asks the model to review a piece of code for bugs, clarity and style.',
  arguments: v.strictObject({
    code: v.pipe(
      v.string(),
      v.minLength(1, 'must not be empty'),
      v.maxLength(20_000, 'must be at most 20000 characters'),
      v.title('Code'),
      v.description('The code to review.'),
    ),
    language: v.optional(
      v.pipe(
        v.string(),
        v.maxLength(40, 'must be at most 40 characters'),
        v.title('Language'),
        v.description('The programming language of the code, e.g. python.'),
      ),
    ),
  }),
  icons: [LOGO_ICON],
  complete: { language: completeFrom(LANGUAGES) },
  get: ({ code, language }) => [
    user(
      `Please review this ${language === undefined ? '' : `${language} `}code. Point out bugs ` +
        `first, then anything unclear, then style.\n\n${code}`,
    ),
  ],
})
