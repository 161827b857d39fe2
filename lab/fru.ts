// A FRU inventory image in the IPMI Platform Management FRU Information Storage Definition v1.0
// format: common header, board area and product area, each zero-checksummed and padded to 8 bytes.
// `ipmitool fru print 0` shows the serial as `Board Serial` and `Product Serial`.

export interface FruInfo {
  manufacturer: string;
  product: string;
  partNumber: string;
  serial: string;
}

/** One type/length byte (8-bit ASCII, at most 63 bytes) followed by the text. */
function field(text: string): number[] {
  const bytes = [...Buffer.from(text, 'latin1')];
  if (bytes.length > 63) throw new Error(`FRU field "${text}" is longer than 63 bytes`);
  return [0xc0 | bytes.length, ...bytes];
}

function zeroChecksum(bytes: number[]): number {
  return -bytes.reduce((sum, b) => sum + b, 0) & 0xff;
}

/** An area: its header, its fields, the end marker, padding and checksum; length in 8-byte units. */
function area(header: number[], fields: string[]): number[] {
  const body = [...header, ...fields.flatMap(field), 0xc1];
  while ((body.length + 1) % 8 !== 0) body.push(0);
  body[1] = (body.length + 1) / 8;
  return [...body, zeroChecksum(body)];
}

export function fruImage(info: FruInfo): number[] {
  // Board area header: version 1, length, language English, manufacturing date unspecified.
  const board = area(
    [1, 0, 0, 0, 0, 0],
    [info.manufacturer, info.product, info.serial, info.partNumber, ''],
  );
  // Product area header: version 1, length, language English.
  const product = area(
    [1, 0, 0],
    [info.manufacturer, info.product, info.partNumber, '1.0', info.serial, '', ''],
  );
  // Common header: version 1, no internal-use or chassis area, board at 8, product after it.
  const header = [1, 0, 0, 1, 1 + board.length / 8, 0, 0];
  return [...header, zeroChecksum(header), ...board, ...product];
}
