package jmistral.fuzz;

import jmistral.ModelFileException;
import jmistral.image.ImageDecoder;
import jmistral.image.ImageInputException;
import jmistral.image.PdfPages;
import jmistral.model.LoadedModel;
import jmistral.model.ModelLoader;
import jmistral.model.TextConfig;
import jmistral.model.synth.Synth;
import jmistral.tensor.GgmlType;
import jmistral.gguf.GgufFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seeded fuzz suite of hostile files and images (issue 17): corrupted GGUF and safetensors models,
 * config.json files, PNGs, JPEGs and PDFs, each opened, decoded or rendered as the CLI and server do. Every
 * input is accepted or refused with the project's exception for the format ({@link ModelFileException},
 * {@link ImageInputException}) carrying one printable line; nothing else may leak, nothing be printed
 * ({@link FuzzRun}). Besides the main test run, Maven runs this class in a JVM of 512 MB heap, so a case that
 * allocates what its header claims shows up as an OutOfMemoryError. The seed is printed; replay another with
 * {@code -Djmistral.fuzz.seed=N}.
 */
class HostileInputFuzzTest {
    /** A small model of the real architecture, vocabulary 256 (so no tokenizer in the GGUF). */
    private static final TextConfig SMALL = new TextConfig(64, 2, 32, 96, 4, 2, 1e-5, 1e9, 256, 4096);

    @TempDir
    static Path dir;

    private static Path ggufModel, hfModel;

    @BeforeAll
    static void models() throws Exception {
        ggufModel = dir.resolve("valid.gguf");
        Synth.write(ggufModel, new Synth.Options(LoadedModel.Format.GGUF, SMALL, 3, false, GgmlType.Q8_0, 0));
        hfModel = dir.resolve("valid-hf");
        Synth.write(hfModel, new Synth.Options(LoadedModel.Format.HF, SMALL, 3, false, GgmlType.F32, 0));
        Files.deleteIfExists(hfModel.resolve("tekken.json"));   // not needed to load; keeps each copy small
        try (LoadedModel g = ModelLoader.load(ggufModel); LoadedModel h = ModelLoader.load(hfModel)) {
            assertTrue(g.config().equals(SMALL) && h.config().equals(SMALL), "the uncorrupted models load");
        }
    }

    private static Random random(long salt) {
        return new Random(FuzzRun.SEED * 31 + salt);
    }

    @Test
    void corruptGgufFiles() throws Exception {
        byte[] valid = Files.readAllBytes(ggufModel);
        int dataOffset;
        try (GgufFile g = GgufFile.open(ggufModel)) {
            dataOffset = (int) g.dataOffset();
        }
        FuzzRun run = new FuzzRun("GGUF", ModelFileException.class);
        Path file = dir.resolve("case.gguf");
        for (ModelFileCorruptions.Case c : new ModelFileCorruptions(random(1)).gguf(valid, dataOffset, 120)) {
            Files.write(file, c.data());
            run.check(c.name(), () -> ModelLoader.load(file).close());
        }
        run.assertClean();
    }

    @Test
    void corruptSafetensorsModels() throws Exception {
        Path weights;
        try (Stream<Path> files = Files.list(hfModel)) {
            weights = files.filter(p -> p.toString().endsWith(".safetensors")).findFirst().orElseThrow();
        }
        byte[] valid = Files.readAllBytes(weights);
        String config = Files.readString(hfModel.resolve("config.json"));
        Path model = dir.resolve("case-hf");
        Files.createDirectories(model);
        Path caseWeights = model.resolve(weights.getFileName().toString()), caseConfig = model.resolve("config.json");
        FuzzRun run = new FuzzRun("safetensors", ModelFileException.class);
        ModelFileCorruptions corruptions = new ModelFileCorruptions(random(2));
        Files.writeString(caseConfig, config);
        for (ModelFileCorruptions.Case c : corruptions.safetensors(valid, 90)) {
            Files.write(caseWeights, c.data());
            run.check(c.name(), () -> ModelLoader.load(model).close());
        }
        Files.write(caseWeights, valid);
        int i = 0;
        for (String bad : corruptions.hfConfigs(config, 30)) {
            Files.writeString(caseConfig, bad);
            run.check("config.json #" + i++ + ": " + bad.replaceAll("\\s+", ""), () -> ModelLoader.load(model).close());
        }
        run.assertClean();
    }

    @Test
    void corruptPngs() throws Exception {
        FuzzRun run = new FuzzRun("PNG", ImageInputException.class);
        ImageDecoder decoder = new ImageDecoder();
        for (ImageCorruptions.Case c : new ImageCorruptions(random(3)).png(120)) {
            run.check(c.name(), () -> decoder.decode(c.data(), c.name()));
        }
        run.assertClean();
    }

    @Test
    void corruptJpegs() throws Exception {
        FuzzRun run = new FuzzRun("JPEG", ImageInputException.class);
        ImageDecoder decoder = new ImageDecoder();
        for (ImageCorruptions.Case c : new ImageCorruptions(random(4)).jpeg(90)) {
            run.check(c.name(), () -> decoder.decode(c.data(), c.name()));
        }
        run.assertClean();
    }

    @Test
    void corruptPdfs() throws Exception {
        try (PdfPages valid = PdfPages.open(PdfCorruptions.valid(), "valid.pdf")) {
            assertTrue(valid.render(0).width() > 0, "the uncorrupted template renders");
        }
        FuzzRun run = new FuzzRun("PDF", ImageInputException.class);
        for (PdfCorruptions.Case c : new PdfCorruptions(random(5)).cases(96)) {
            run.check(c.name(), () -> {
                // as the CLI does: open, cost every page, render a few (smaller than 1540 px: same code, less time)
                try (PdfPages pdf = PdfPages.open(c.data(), c.name())) {
                    PdfPages small = pdf.withMaxSide(256);
                    for (int p = 0; p < Math.min(small.pageCount(), 3); p++) {
                        small.promptTokensForPage(p);
                        small.render(p);
                    }
                }
            });
        }
        run.assertClean();
    }

    /** The PDF limits the fuzzer only touches by chance, each refused with its own message. */
    @Test
    void pdfLimitsAreRefusedByName() {
        assertRefused(PdfCorruptions.pdf(java.util.Map.of("{MEDIABOX}", "[0 0 20000 10]"), true), "a side longer than the limit of 14400");
        assertRefused(PdfCorruptions.pdf(java.util.Map.of("{IM2_W}", "40000", "{IM2_H}", "40000"), true),
                "holds a 40000x40000 image, more than the limit of 50000000 pixels");   // drawn by a form, not the page
        assertRefused(PdfCorruptions.pdf(java.util.Map.of("{COUNT}", "2147483647"), true), "claims 2147483647 pages");
    }

    private static void assertRefused(byte[] pdf, String expected) {
        ImageInputException e = org.junit.jupiter.api.Assertions.assertThrows(ImageInputException.class, () -> {
            try (PdfPages pages = PdfPages.open(pdf, "limit.pdf")) {
                pages.render(0);
            }
        });
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
