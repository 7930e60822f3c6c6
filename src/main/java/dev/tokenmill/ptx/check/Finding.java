package dev.tokenmill.ptx.check;

import java.util.Locale;

/**
 * One problem found while a kernel ran, located like a compute-sanitizer report: the kernel, the PTX line
 * and instruction, the block and thread, the address (with the nearby allocation), and a detail sentence.
 * {@code occurrences} counts how many times the same kind hit the same line in the launch.
 *
 * @param address the byte address involved (global, or shared offset), or -1
 * @param where the allocation and offset, or the shared window, that the address falls in or near
 */
public record Finding(FindingKind kind, String kernel, int line, String instruction, int[] block, int[] thread,
                      long address, String where, String detail, long occurrences) {

    public Finding withOccurrences(long n) {
        return new Finding(kind, kernel, line, instruction, block, thread, address, where, detail, n);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(kind.tool).append(": ").append(kind.name()).append(" in ").append(kernel)
                .append(" at PTX line ").append(line).append(" `").append(instruction).append('`')
                .append(", block (").append(block[0]).append(',').append(block[1]).append(',').append(block[2]).append(')')
                .append(" thread (").append(thread[0]).append(',').append(thread[1]).append(',').append(thread[2]).append(')');
        if (address >= 0) sb.append(String.format(Locale.ROOT, ", address 0x%x", address));
        if (where != null) sb.append(" (").append(where).append(')');
        sb.append(": ").append(detail);
        if (occurrences > 1) sb.append(" [").append(occurrences).append(" times at this line]");
        return sb.toString();
    }
}
