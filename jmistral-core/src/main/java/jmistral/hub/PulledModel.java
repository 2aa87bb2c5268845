package jmistral.hub;

import java.nio.file.Path;
import java.util.List;

/**
 * The outcome of a pull: a snapshot folder in the cache holding the selected files.
 *
 * @param repo        the repository
 * @param commit      the commit the files come from
 * @param snapshotDir {@code HUB_CACHE/models--ORG--NAME/snapshots/COMMIT}
 * @param selection   which files were chosen
 * @param downloaded  bytes actually transferred (0 when everything was cached)
 */
public record PulledModel(RepoId repo, String commit, Path snapshotDir, RepoFileSelector.Selection selection,
                          long downloaded) {

    /** Where a repository file appears in the snapshot. */
    public Path file(RepoFile f) {
        return snapshotDir.resolve(f.path());
    }

    /** Every selected file's snapshot path, model first. */
    public List<Path> files() {
        return selection.all().stream().map(this::file).toList();
    }
}
