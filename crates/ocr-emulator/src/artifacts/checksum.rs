//! Checksums the emulator writes: CRC-32 (PNG chunks, zip entries) and Adler-32 (zlib
//! streams) from crates, and CRC-64/ECMA-182 as COS reports it (`x-cos-hash-crc64ecma`).

const CRC64_POLY: u64 = 0xC96C_5795_D787_0F42;

const fn crc64_table() -> [u64; 256] {
    let mut table = [0u64; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u64;
        let mut k = 0;
        while k < 8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ CRC64_POLY
            } else {
                crc >> 1
            };
            k += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
}

static CRC64_TABLE: [u64; 256] = crc64_table();

/// CRC-64 with the reflected ECMA-182 polynomial, initial value and final XOR all
/// ones (Go's `crc64.Checksum(data, crc64.MakeTable(crc64.ECMA))`, also known as
/// CRC-64/XZ): what COS returns in `x-cos-hash-crc64ecma`, in decimal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Crc64(u64);

impl Crc64 {
    pub(crate) fn new() -> Self {
        Crc64(!0)
    }

    pub(crate) fn update(&mut self, data: &[u8]) {
        let mut crc = self.0;
        for b in data {
            let index = usize::from((crc as u8) ^ *b);
            crc = CRC64_TABLE[index] ^ (crc >> 8);
        }
        self.0 = crc;
    }

    pub(crate) fn finish(self) -> u64 {
        !self.0
    }
}

/// CRC-64/ECMA of `data` in one go.
pub(crate) fn crc64_ecma(data: &[u8]) -> u64 {
    let mut c = Crc64::new();
    c.update(data);
    c.finish()
}

/// CRC-32 (ISO-HDLC, as in PNG and ZIP), by `crc32fast`.
pub(crate) fn crc32(data: &[u8]) -> u32 {
    crc32fast::hash(data)
}

/// Adler-32 (the zlib trailer), by `adler2`.
pub(crate) fn adler32(data: &[u8]) -> u32 {
    adler2::adler32_slice(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_values() {
        assert_eq!(crc64_ecma(b"123456789"), 0x995D_C9BB_DF19_39FA);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        let mut c = Crc64::new();
        c.update(b"1234");
        c.update(b"56789");
        assert_eq!(c.finish(), crc64_ecma(b"123456789"));
    }
}
