package dev.tokenmill.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ByteSizeTest {
    @Test
    void binaryAndDecimalSuffixes() {
        assertEquals(1048576, ByteSize.parse("bytes", "1048576"));
        assertEquals(4096, ByteSize.parse("bytes", "4K"));
        assertEquals(4096, ByteSize.parse("bytes", "4KiB"));
        assertEquals(4000, ByteSize.parse("bytes", "4kB"));
        assertEquals(256L << 20, ByteSize.parse("bytes", "256M"));
        assertEquals(256L << 20, ByteSize.parse("bytes", "256mib"));
        assertEquals(1L << 30, ByteSize.parse("bytes", "1G"));
        assertEquals(1L << 30, ByteSize.parse("bytes", " 1 GiB "));
        assertEquals(2_000_000_000L, ByteSize.parse("bytes", "2GB"));
        assertEquals(1L << 40, ByteSize.parse("bytes", "1T"));
    }

    @Test
    void rejectsWhatIsNotAByteCount() {
        for (String bad : new String[]{"", "-1", "1.5G", "12Q", "G", "1 0", "1GiBs"}) {
            var e = assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("bytes", bad), bad);
            assertTrue(e.getMessage().startsWith("bytes must be a byte count such as"), e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("bytes", "99999999999T"));
        assertTrue(e.getMessage().startsWith("bytes is too large"), e.getMessage());
    }
}
