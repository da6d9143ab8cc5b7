// Comparing a secret someone presented with the one we hold (an admin token, a client secret, a
// CSRF token) in constant time: both are hashed first, so neither their content nor their
// lengths leak through timing.

const encoder = new TextEncoder()

/** Compares two strings in constant time (hashed first, so lengths leak nothing either). */
export const sameSecret = async (given: string, expected: string): Promise<boolean> => {
  const digest = (text: string) => crypto.subtle.digest('SHA-256', encoder.encode(text))
  const [a, b] = await Promise.all([digest(given), digest(expected)])
  return crypto.subtle.timingSafeEqual(a, b)
}
