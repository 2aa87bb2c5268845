package jmistral.hub;

/**
 * One file of a repository at one commit, as the tree API lists it.
 *
 * @param path      path inside the repository ({@code sub/dir/file.gguf})
 * @param size      size in bytes of the real content (the LFS object for LFS files)
 * @param gitOid    git blob id (sha1) of the file as stored in git (the pointer for LFS files); may be null
 * @param lfsSha256 sha256 of the content for LFS files, null for plain git files
 */
public record RepoFile(String path, long size, String gitOid, String lfsSha256) {

    /** The last path segment. */
    public String fileName() {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }

    public boolean isLfs() { return lfsSha256 != null; }
}
