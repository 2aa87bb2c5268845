package jmistral.spark;

import jmistral.chat.ChatRequest;

/**
 * One input row made ready for generation, or the reason it cannot be generated.
 *
 * @param request the chat request (messages with the row's image, tools, schema, sampling with the
 *                row's seed); null when error is set
 * @param seed    sampling seed of this row
 * @param error   what is wrong with the row; null when it is fine
 */
record PreparedRow(ChatRequest request, long seed, String error) {
    static PreparedRow failed(String error, long seed) { return new PreparedRow(null, seed, error); }
}
