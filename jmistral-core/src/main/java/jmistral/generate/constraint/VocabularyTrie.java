package jmistral.generate.constraint;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A byte trie over every ordinary token of a vocabulary, flattened in pre-order so a mask walk is a
 * linear scan that skips whole subtrees when the grammar rejects a prefix. Built once per vocabulary
 * (about 266k nodes for Tekken's 130k byte tokens); immutable and shared by all sequences and threads.
 */
public final class VocabularyTrie {

    private final int vocabSize;
    private final int eosId;
    final int nodeCount;
    final byte[] label;      // [nodes] the byte on the edge into the node
    final short[] depth;     // [nodes] 1 = child of the root
    final int[] token;       // [nodes] id of the token ending here, -1 if none
    final int[] subtreeEnd;  // [nodes] first node index after this node's subtree
    final int[] sameBytes;   // [vocab] next id with identical bytes, -1 (duplicates are rare)
    final int maxDepth;
    private final byte[][] bytesById; // [vocab] token bytes, null for special tokens

    private VocabularyTrie(TokenVocabulary vocab) {
        this.vocabSize = vocab.size();
        this.eosId = vocab.eosId();
        bytesById = new byte[vocabSize][];
        List<byte[]> bytes = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        for (int id = 0; id < vocabSize; id++) {
            byte[] b = vocab.bytes(id);
            if (b != null && b.length > 0) {
                bytesById[id] = b.clone();
                bytes.add(b);
                ids.add(id);
            }
        }
        Integer[] order = new Integer[ids.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (x, y) -> Arrays.compareUnsigned(bytes.get(x), bytes.get(y)));

        sameBytes = new int[vocabSize];
        Arrays.fill(sameBytes, -1);
        NfaBuilder.IntList labels = new NfaBuilder.IntList(), depths = new NfaBuilder.IntList(),
                tokens = new NfaBuilder.IntList();
        byte[] prev = new byte[0];
        int prevNodeOfPrevToken = -1;
        int deepest = 0;
        for (int k : order) {
            byte[] b = bytes.get(k);
            int id = ids.get(k);
            if (Arrays.equals(b, prev) && prevNodeOfPrevToken >= 0) {
                int first = tokens.a[prevNodeOfPrevToken];
                while (sameBytes[first] >= 0) first = sameBytes[first];
                sameBytes[first] = id;
                continue;
            }
            int lcp = 0;
            while (lcp < b.length && lcp < prev.length && b[lcp] == prev[lcp]) lcp++;
            for (int d = lcp; d < b.length; d++) {
                labels.add(b[d] & 0xFF);
                depths.add(d + 1);
                tokens.add(-1);
            }
            tokens.a[tokens.size - 1] = id;
            prevNodeOfPrevToken = tokens.size - 1;
            prev = b;
            deepest = Math.max(deepest, b.length);
        }
        nodeCount = labels.size;
        label = new byte[nodeCount];
        depth = new short[nodeCount];
        token = Arrays.copyOf(tokens.a, nodeCount);
        for (int i = 0; i < nodeCount; i++) {
            label[i] = (byte) labels.a[i];
            depth[i] = (short) depths.a[i];
        }
        // subtree end: the next node whose depth is <= this node's depth
        subtreeEnd = new int[nodeCount];
        int[] open = new int[deepest + 2];
        int top = 0;
        for (int i = 0; i < nodeCount; i++) {
            while (top > 0 && depth[open[top - 1]] >= depth[i]) subtreeEnd[open[--top]] = i;
            open[top++] = i;
        }
        while (top > 0) subtreeEnd[open[--top]] = nodeCount;
        maxDepth = deepest;
    }

    public static VocabularyTrie of(TokenVocabulary vocab) {
        return new VocabularyTrie(vocab);
    }

    /** Bytes of a token, null for special tokens (not a copy: do not modify). */
    byte[] bytes(int id) {
        return bytesById[id];
    }

    public int vocabSize() {
        return vocabSize;
    }

    public int eosId() {
        return eosId;
    }

    /** Words of a token mask: bit (id % 64) of word (id / 64), as {@link java.util.BitSet#toLongArray()}. */
    public int maskWords() {
        return (vocabSize + 63) >>> 6;
    }
}
