package jmistral.spark;

import jmistral.generate.constraint.GrammarMatcher;

/**
 * One input row made ready for generation, or the reason it cannot be generated.
 *
 * @param prompt  encoded prompt (starts with BOS); null when error is set
 * @param embeddings image embeddings at the prompt's [IMG] positions ([prompt.length][dim], null rows
 *                   for text); null = no image
 * @param grammar grammar the answer must follow (JSON schema or tool calls); null = free text
 * @param seed    sampling seed of this row
 * @param error   what is wrong with the row; null when it is fine
 */
record PreparedRow(int[] prompt, float[][] embeddings, GrammarMatcher grammar, long seed, String error) {
    static PreparedRow failed(String error, long seed) { return new PreparedRow(null, null, null, seed, error); }
}
