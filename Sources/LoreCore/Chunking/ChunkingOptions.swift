/// How large the passages are that the chunker cuts, in estimated tokens (`estimateTokens`).
public struct ChunkingOptions: Sendable, Equatable {
    /// Consecutive blocks are packed into one chunk until adding the next would pass this.
    public let targetTokens: Int
    /// How much of the previous chunk a chunk repeats when one section is cut into several, so that a
    /// sentence near a cut is still found together with its context.
    public let overlapTokens: Int
    /// A code block, table or paragraph larger than this is cut; up to it, it stays whole in one chunk.
    public let maxTokens: Int

    /// Values are clamped into a usable range: target at least 16, max at least target, overlap at most
    /// half the target (so that every chunk moves the text forward).
    public init(targetTokens: Int, overlapTokens: Int, maxTokens: Int) {
        let target = max(16, targetTokens)
        self.targetTokens = target
        self.maxTokens = max(target, maxTokens)
        self.overlapTokens = min(max(0, overlapTokens), target / 2)
    }

    /// 256 tokens is what small local embedding models read before truncating (all-MiniLM-L6-v2 stops at
    /// 256 word pieces) and keeps BM25 passages focused, while eight sources still fit a 4k-token context
    /// with room for the answer; 512 lets a typical code block or table stay whole; 32 tokens of overlap
    /// carries about one sentence across a cut. Measured with `lore eval bench/eval-postgresql.jsonl --mode
    /// bm25` on the PostgreSQL docs (target/overlap/max): 128/16/256 gave MRR 0.370, nDCG@10 0.360;
    /// 256/32/512 gave MRR 0.389, nDCG@10 0.387; 512/64/1024 gave MRR 0.379, nDCG@10 0.347.
    public static let `default` = ChunkingOptions(targetTokens: 256, overlapTokens: 32, maxTokens: 512)
}
