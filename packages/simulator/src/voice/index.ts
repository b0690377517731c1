// The simulator's deterministic voice (text ⇄ tones) — owned by the SIM-VOICE helper.
export {};
