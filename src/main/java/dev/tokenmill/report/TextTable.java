package dev.tokenmill.report;

import java.util.ArrayList;
import java.util.List;

/** Rows of cells rendered as an aligned plain-text table or a markdown table; numbers align right. */
public final class TextTable {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public TextTable(List<String> header) { this.header = List.copyOf(header); }

    public TextTable add(List<String> row) {
        if (row.size() != header.size())
            throw new IllegalArgumentException("a row has " + row.size() + " cells, the header " + header.size());
        rows.add(List.copyOf(row));
        return this;
    }

    public boolean isEmpty() { return rows.isEmpty(); }

    /** Columns padded to their widest cell, two spaces apart. */
    public String text() {
        int[] w = widths();
        StringBuilder b = new StringBuilder();
        line(b, header, w);
        List<String> rule = new ArrayList<>();
        for (int x : w) rule.add("-".repeat(x));
        line(b, rule, w);
        for (List<String> r : rows) line(b, r, w);
        return b.toString();
    }

    public String markdown() {
        int[] w = widths();
        StringBuilder b = new StringBuilder();
        mdLine(b, header, w);
        b.append('|');
        for (int c = 0; c < w.length; c++) b.append(rightAligned(c) ? "-".repeat(w[c] + 1) + ":|" : ":" + "-".repeat(w[c] + 1) + "|");
        b.append('\n');
        for (List<String> r : rows) mdLine(b, r, w);
        return b.toString();
    }

    private int[] widths() {
        int[] w = new int[header.size()];
        for (int c = 0; c < w.length; c++) {
            w[c] = header.get(c).length();
            for (List<String> r : rows) w[c] = Math.max(w[c], r.get(c).length());
        }
        return w;
    }

    /** A column is numeric when every cell starts with a digit or is a dash. */
    private boolean rightAligned(int c) {
        if (rows.isEmpty()) return false;
        for (List<String> r : rows) {
            String s = r.get(c);
            if (!s.equals("-") && (s.isEmpty() || !Character.isDigit(s.charAt(0)))) return false;
        }
        return true;
    }

    private void line(StringBuilder b, List<String> cells, int[] w) {
        for (int c = 0; c < w.length; c++) {
            if (c > 0) b.append("  ");
            b.append(pad(cells.get(c), w[c], rightAligned(c)));
        }
        b.append('\n');
    }

    private void mdLine(StringBuilder b, List<String> cells, int[] w) {
        b.append('|');
        for (int c = 0; c < w.length; c++) b.append(' ').append(pad(cells.get(c), w[c], rightAligned(c))).append(" |");
        b.append('\n');
    }

    private static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(width - s.length());
        return right ? fill + s : s + fill;
    }
}
