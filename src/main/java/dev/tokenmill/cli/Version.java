package dev.tokenmill.cli;

import dev.tokenmill.measure.Provenance;
import dev.tokenmill.report.ResultFile;
import picocli.CommandLine;

/**
 * What {@code --version} says: the version from the jar's manifest ({@code dev} when run from classes) and the git
 * revision, both found as result files record them ({@link Provenance#tool}), so the two always agree.
 */
public final class Version implements CommandLine.IVersionProvider {
    @Override public String[] getVersion() {
        ResultFile.Tool tool = Provenance.tool();
        String git = "unknown".equals(tool.git()) ? "git revision unknown (not run inside a git checkout)"
                : "git " + tool.git() + (Boolean.TRUE.equals(tool.dirty()) ? " with uncommitted changes" : "");
        return new String[]{"tokenmill " + tool.version() + ", " + git};
    }
}
