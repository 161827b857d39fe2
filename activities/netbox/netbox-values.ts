// How NetBox stores what it is sent, as measured on NetBox 4.7: compare a goal with what NetBox
// holds only after this normalisation, or every retry rewrites an unchanged object.

/** A custom field value as written through the API. */
export type CustomFieldValue = string | number | boolean | null;

// Python's str.isspace(): JavaScript's \s minus U+FEFF, plus U+001C-U+001F and U+0085.
const PY_SPACE =
  '\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const EDGES = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');

/**
 * The `comments` NetBox stores for `text`: its serializer strips leading and trailing whitespace
 * (Django REST framework's CharField, Python's str.strip()); inner line breaks, \r\n included,
 * stay as sent. Text custom fields are stored verbatim.
 */
export function storedComments(text: string): string {
  return text.replace(EDGES, '');
}

/** A selection custom field reads back as `{ value, label }` but is written as its value. */
export function customFieldValue(read: unknown): unknown {
  if (read !== null && typeof read === 'object' && 'value' in read && 'label' in read) {
    return (read as { value: unknown }).value;
  }
  return read;
}
