// The creative-writing prompt templates of the reference Tree-of-Thoughts code
// (princeton-nlp/tree-of-thought-llm, src/tot/prompts/text.py), character for character.

export const COT_PROMPT = `
Write a coherent passage of 4 short paragraphs. The end sentence of each paragraph must be: {input}

Make a plan then write. Your output should be of the following format:

Plan:
Your plan here.

Passage:
Your passage here.
`;

export const VOTE_PROMPT = `Given an instruction and several choices, decide which choice is most promising. Analyze each choice in detail, then conclude in the last line "The best choice is {s}", where s the integer id of the choice.
`;
