package jmistral.tensor;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Something that holds named tensors: a GGUF file, a safetensors file, or a set of safetensors
 * shards. File formats implement it; they know nothing about Mistral (that is model.Checkpoint's job).
 */
public interface TensorSource extends AutoCloseable {

    /** All tensors by name, in file order. */
    Map<String, TensorView> tensors();

    default Optional<TensorView> find(String name) {
        return Optional.ofNullable(tensors().get(name));
    }

    /** Where the tensors come from (for error messages). */
    Path path();

    /** Unmaps the file(s). Tensor views must not be used afterwards. */
    @Override
    void close();
}
