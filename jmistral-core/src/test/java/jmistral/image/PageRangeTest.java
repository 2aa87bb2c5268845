package jmistral.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PageRangeTest {
    @Test
    void parsesListsAndRanges() {
        assertArrayEquals(new int[] {0, 1, 2, 4}, PageRange.parse("1-3,5").resolve(10, "doc"));
        assertArrayEquals(new int[] {1, 4, 5}, PageRange.parse(" 5 , 2, 5-6 ").resolve(10, "doc"));
        assertArrayEquals(new int[] {3, 4, 5}, PageRange.parse("4-").resolve(6, "doc"));
        assertArrayEquals(new int[] {0, 1, 2}, PageRange.parse("all").resolve(3, "doc"));
        assertArrayEquals(new int[] {0, 1}, PageRange.all().resolve(2, "doc"));
    }

    @Test
    void rejectsMalformedRanges() {
        for (String bad : new String[] {"", " ", "0", "-2", "3-1", "a", "1,,2", "1-2-3", "1.5"}) {
            assertThrows(IllegalArgumentException.class, () -> PageRange.parse(bad), bad);
        }
    }

    @Test
    void pagesPastTheEndSayHowManyThereAre() {
        String msg = assertThrows(ImageInputException.class, () -> PageRange.parse("2-12").resolve(10, "report.pdf"))
                .getMessage();
        assertTrue(msg.contains("report.pdf") && msg.contains("page 12") && msg.contains("has 10 pages"), msg);
    }
}
