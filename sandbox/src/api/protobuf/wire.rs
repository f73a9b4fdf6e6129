//! The protobuf wire format: tags, varints and length-delimited fields.

/// One field's raw value.
#[derive(Debug, PartialEq, Eq)]
pub enum WireValue<'a> {
    /// Wire type 0.
    Varint(u64),
    /// Wire type 2: strings, bytes, messages, packed numbers.
    Bytes(&'a [u8]),
    /// Wire types 1 and 5, which no field the sandbox reads uses.
    Fixed,
}

/// Reads a varint; returns it and the number of bytes it took.
pub fn varint(bytes: &[u8]) -> Result<(u64, usize), String> {
    let mut value = 0u64;
    for (index, byte) in bytes.iter().enumerate().take(10) {
        value |= u64::from(byte & 0x7f) << (7 * index);
        if byte & 0x80 == 0 {
            return Ok((value, index + 1));
        }
    }
    Err("a varint is truncated or too long".to_owned())
}

/// Iterates over the fields of one message.
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over a message's bytes.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    fn next_field(&mut self) -> Result<(u32, WireValue<'a>), String> {
        let (tag, used) = varint(self.rest)?;
        self.rest = &self.rest[used..];
        let number =
            u32::try_from(tag >> 3).map_err(|_| "a field number is too large".to_owned())?;
        let value = match tag & 7 {
            0 => {
                let (value, used) = varint(self.rest)?;
                self.rest = &self.rest[used..];
                WireValue::Varint(value)
            }
            2 => {
                let (length, used) = varint(self.rest)?;
                let length =
                    usize::try_from(length).map_err(|_| "a length is too large".to_owned())?;
                let end = used
                    .checked_add(length)
                    .filter(|end| *end <= self.rest.len())
                    .ok_or_else(|| "a length-delimited field runs past the end".to_owned())?;
                let bytes = &self.rest[used..end];
                self.rest = &self.rest[end..];
                WireValue::Bytes(bytes)
            }
            1 => self.skip(8)?,
            5 => self.skip(4)?,
            other => return Err(format!("unsupported wire type {other}")),
        };
        Ok((number, value))
    }

    fn skip(&mut self, length: usize) -> Result<WireValue<'a>, String> {
        if self.rest.len() < length {
            return Err("a fixed-width field runs past the end".to_owned());
        }
        self.rest = &self.rest[length..];
        Ok(WireValue::Fixed)
    }
}

impl<'a> Iterator for Reader<'a> {
    type Item = Result<(u32, WireValue<'a>), String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let item = self.next_field();
        if item.is_err() {
            self.rest = &[];
        }
        Some(item)
    }
}
