package jmistral.hub;

/** The model used when a command gets no {@code -m}. */
public final class DefaultModels {

    private DefaultModels() { }

    /**
     * bartowski's GGUF build of Mistral Small 3.2 24B Instruct 2506 (llama.cpp b5697): the Q4_K_M file is
     * {@code mistralai_Mistral-Small-3.2-24B-Instruct-2506-Q4_K_M.gguf} (14,333,915,264 bytes) and the vision
     * projector {@code mmproj-mistralai_Mistral-Small-3.2-24B-Instruct-2506-f16.gguf} (about 0.88 GB):
     * about 15.2 GB in all.
     */
    public static final String MISTRAL_SMALL_3_2_REPO = "bartowski/mistralai_Mistral-Small-3.2-24B-Instruct-2506-GGUF";

    /** The default spec: that repo at Q4_K_M. */
    public static final String DEFAULT_SPEC = MISTRAL_SMALL_3_2_REPO + ":" + RepoFileSelector.DEFAULT_QUANT;

    /** Mistral's own repository (bf16 safetensors, about 48 GB; gated on some mirrors). */
    public static final String OFFICIAL_REPO = "mistralai/Mistral-Small-3.2-24B-Instruct-2506";
}
