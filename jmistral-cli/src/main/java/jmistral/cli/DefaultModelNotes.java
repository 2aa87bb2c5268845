package jmistral.cli;

import java.io.PrintWriter;
import jmistral.hub.DefaultModels;
import jmistral.hub.HfCache;
import jmistral.hub.HubConfig;
import jmistral.hub.HubException;
import jmistral.hub.ModelResolver;
import jmistral.hub.ModelSpec;
import jmistral.hub.ResolvedModel;

/**
 * Resolves -m, saying what the default model is when it must be downloaded first (or cannot be, offline):
 * the user typed {@code jmistral chat} and should know that about 15 GB are coming.
 */
final class DefaultModelNotes {

    /** The default model's download: the Q4_K_M file (14,333,915,264 bytes) and its f16 mmproj (about 0.88 GB). */
    static final String DEFAULT_MODEL_SIZE = "about 15.2 GB";

    private DefaultModelNotes() {
    }

    static ResolvedModel resolve(ModelResolver resolver, String spec, HubConfig config, PrintWriter err) {
        boolean isDefault = spec == null || spec.isBlank() || spec.strip().equals(DefaultModels.DEFAULT_SPEC);
        if (!isDefault) return resolver.resolve(spec);
        String size = "(Mistral Small 3.2 24B Instruct 2506, Q4_K_M GGUF + vision mmproj, " + DEFAULT_MODEL_SIZE + ")";
        if (!config.offline() && !cached(config)) {
            err.println("[first use: downloading the default model " + DefaultModels.DEFAULT_SPEC + " " + size + " into " + config.hubCache()
                    + "; pick another model or quant with -m REPO[:QUANT]]");
            err.flush();
        }
        try {
            return resolver.resolve(DefaultModels.DEFAULT_SPEC);
        } catch (HubException e) {
            if (e.kind() != HubException.Kind.OFFLINE_NOT_CACHED) throw e;
            throw new HubException(e.kind(), e.getMessage() + ". That is the default model " + size
                    + ": fetch it once with `jmistral pull` when online, or pass -m with a model file or folder you have", e);
        }
    }

    private static boolean cached(HubConfig config) {
        ModelSpec spec = ModelSpec.parse(DefaultModels.DEFAULT_SPEC);
        return new HfCache(config.hubCache()).readRef(spec.repo(), "main").isPresent();
    }
}
