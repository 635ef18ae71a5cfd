/** JSON text to and from plain Java values (objects keep their order). */
public static final class Json {
    private Json() {}

    public static Object parse(String text) {
        Reader reader = new Reader(text);
        Object value = reader.value();
        reader.space();
        if (reader.at < text.length()) {
            throw reader.error("trailing text");
        }
        return value;
    }

    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    /** The JSON form of a model value: records and enums by their toJson, lists and maps by item. */
    public static Object value(Object value) {
        if (value instanceof ToJson model) {
            return model.toJson();
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (Object item : list) {
                out.add(value(item));
            }
            return out;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.put(String.valueOf(e.getKey()), value(e.getValue()));
            }
            return out;
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(Object json) {
        if (json instanceof Map<?, ?>) {
            return (Map<String, Object>) json;
        }
        throw new IllegalArgumentException("expected an object");
    }

    public static String string(Object json) {
        if (json instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException("expected a string");
    }

    public static boolean bool(Object json) {
        if (json instanceof Boolean b) {
            return b;
        }
        throw new IllegalArgumentException("expected a boolean");
    }

    private static java.math.BigDecimal number(Object json) {
        if (json instanceof java.math.BigDecimal n) {
            return n;
        }
        if (json instanceof Number n) {
            return new java.math.BigDecimal(n.toString());
        }
        throw new IllegalArgumentException("expected a number");
    }

    /** Also from decimal text, as Protobuf's JSON mapping writes 64-bit integers. */
    public static long longValue(Object json) {
        if (json instanceof String text) {
            return Long.parseLong(text);
        }
        return number(json).longValueExact();
    }

    public static int intValue(Object json) {
        return number(json).intValueExact();
    }

    public static double doubleValue(Object json) {
        return number(json).doubleValue();
    }

    public static float floatValue(Object json) {
        return number(json).floatValue();
    }

    public static <T> List<T> list(Object json, Function<Object, T> item) {
        if (!(json instanceof List<?> items)) {
            throw new IllegalArgumentException("expected a list");
        }
        List<T> out = new ArrayList<>();
        for (Object value : items) {
            out.add(item.apply(value));
        }
        return out;
    }

    public static <T> Map<String, T> map(Object json, Function<Object, T> item) {
        Map<String, T> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : object(json).entrySet()) {
            out.put(e.getKey(), item.apply(e.getValue()));
        }
        return out;
    }

    public static <T> T nullable(Object json, Function<Object, T> item) {
        return json == null ? null : item.apply(json);
    }

    public static <T> Object listJson(List<T> values, Function<T, Object> item) {
        List<Object> out = new ArrayList<>();
        for (T value : values) {
            out.add(item.apply(value));
        }
        return out;
    }

    public static <T> Object mapJson(Map<String, T> values, Function<T, Object> item) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, T> e : values.entrySet()) {
            out.put(e.getKey(), item.apply(e.getValue()));
        }
        return out;
    }

    public static <T> Object nullableJson(T value, Function<T, Object> item) {
        return value == null ? null : item.apply(value);
    }

    // Logical types: read from and written back to their exact wire form.

    private static final java.time.LocalDateTime LOCAL_EPOCH = java.time.LocalDateTime.of(1970, 1, 1, 0, 0);

    /** Avro timestamp-millis: milliseconds since the Unix epoch. */
    public static java.time.Instant timestampMillis(Object json) {
        return java.time.Instant.ofEpochMilli(longValue(json));
    }

    public static Object timestampMillisJson(java.time.Instant value) {
        return value.toEpochMilli();
    }

    /** Avro timestamp-micros: microseconds since the Unix epoch. */
    public static java.time.Instant timestampMicros(Object json) {
        long micros = longValue(json);
        return java.time.Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    public static Object timestampMicrosJson(java.time.Instant value) {
        return Math.addExact(Math.multiplyExact(value.getEpochSecond(), 1_000_000L), value.getNano() / 1_000L);
    }

    /** Avro local-timestamp-millis: milliseconds since 1970-01-01T00:00, no time zone. */
    public static java.time.LocalDateTime localTimestampMillis(Object json) {
        return LOCAL_EPOCH.plus(longValue(json), java.time.temporal.ChronoUnit.MILLIS);
    }

    public static Object localTimestampMillisJson(java.time.LocalDateTime value) {
        return java.time.temporal.ChronoUnit.MILLIS.between(LOCAL_EPOCH, value);
    }

    /** Avro local-timestamp-micros: microseconds since 1970-01-01T00:00, no time zone. */
    public static java.time.LocalDateTime localTimestampMicros(Object json) {
        return LOCAL_EPOCH.plus(longValue(json), java.time.temporal.ChronoUnit.MICROS);
    }

    public static Object localTimestampMicrosJson(java.time.LocalDateTime value) {
        return java.time.temporal.ChronoUnit.MICROS.between(LOCAL_EPOCH, value);
    }

    /** Avro date: days since 1970-01-01. */
    public static java.time.LocalDate epochDate(Object json) {
        return java.time.LocalDate.ofEpochDay(intValue(json));
    }

    public static Object epochDateJson(java.time.LocalDate value) {
        return Math.toIntExact(value.toEpochDay());
    }

    /** Avro time-millis: milliseconds after midnight. */
    public static java.time.LocalTime timeMillis(Object json) {
        return java.time.LocalTime.ofNanoOfDay(intValue(json) * 1_000_000L);
    }

    public static Object timeMillisJson(java.time.LocalTime value) {
        return (int) (value.toNanoOfDay() / 1_000_000L);
    }

    /** Avro time-micros: microseconds after midnight. */
    public static java.time.LocalTime timeMicros(Object json) {
        return java.time.LocalTime.ofNanoOfDay(longValue(json) * 1_000L);
    }

    public static Object timeMicrosJson(java.time.LocalTime value) {
        return value.toNanoOfDay() / 1_000L;
    }

    /** Avro decimal: the unscaled two's-complement integer, big-endian, a character per byte. */
    public static java.math.BigDecimal decimalBytes(Object json, int scale) {
        String text = string(json);
        byte[] bytes = new byte[text.length()];
        for (int i = 0; i < bytes.length; i++) {
            char c = text.charAt(i);
            if (c > 0xff) {
                throw new IllegalArgumentException("not a byte: " + (int) c);
            }
            bytes[i] = (byte) c;
        }
        java.math.BigInteger unscaled = bytes.length == 0 ? java.math.BigInteger.ZERO : new java.math.BigInteger(bytes);
        return new java.math.BigDecimal(unscaled, scale);
    }

    /** The fewest bytes when {@code size} is negative, else sign-extended to {@code size} bytes. */
    public static Object decimalBytesJson(java.math.BigDecimal value, int scale, int size) {
        byte[] bytes = value.setScale(scale, java.math.RoundingMode.UNNECESSARY).unscaledValue().toByteArray();
        StringBuilder out = new StringBuilder();
        for (int i = bytes.length; i < size; i++) {
            out.append(bytes[0] < 0 ? (char) 0xff : (char) 0);
        }
        for (byte b : bytes) {
            out.append((char) (b & 0xff));
        }
        return out.toString();
    }

    public static java.util.UUID uuidText(Object json) {
        return java.util.UUID.fromString(string(json));
    }

    public static Object uuidTextJson(java.util.UUID value) {
        return value.toString();
    }

    private static String clock(java.time.LocalDateTime t) {
        String text = String.format(java.util.Locale.ROOT, "%04d-%02d-%02dT%02d:%02d:%02d", t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond());
        return text + fraction(t.getNano());
    }

    private static String fraction(int nano) {
        if (nano == 0) {
            return "";
        }
        if (nano % 1_000_000 == 0) {
            return String.format(java.util.Locale.ROOT, ".%03d", nano / 1_000_000);
        }
        if (nano % 1_000 == 0) {
            return String.format(java.util.Locale.ROOT, ".%06d", nano / 1_000);
        }
        return String.format(java.util.Locale.ROOT, ".%09d", nano);
    }

    /** RFC 3339 date-time with its offset; a zero offset is written as Z. */
    public static java.time.OffsetDateTime dateTimeText(Object json) {
        return java.time.OffsetDateTime.parse(string(json));
    }

    public static Object dateTimeTextJson(java.time.OffsetDateTime value) {
        String offset = value.getOffset().getId();
        return clock(value.toLocalDateTime()) + offset;
    }

    /** google.protobuf.Timestamp: RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits. */
    public static java.time.Instant instantText(Object json) {
        return java.time.OffsetDateTime.parse(string(json)).toInstant();
    }

    public static Object instantTextJson(java.time.Instant value) {
        return clock(java.time.LocalDateTime.ofInstant(value, java.time.ZoneOffset.UTC)) + "Z";
    }

    /** RFC 3339 full-date. */
    public static java.time.LocalDate dateText(Object json) {
        return java.time.LocalDate.parse(string(json));
    }

    public static Object dateTextJson(java.time.LocalDate value) {
        return value.toString();
    }

    /** google.protobuf.Duration: seconds with an s suffix. */
    public static java.time.Duration durationText(Object json) {
        String text = string(json);
        if (!text.endsWith("s")) {
            throw new IllegalArgumentException("not a duration: " + text);
        }
        java.math.BigDecimal seconds = new java.math.BigDecimal(text.substring(0, text.length() - 1));
        java.math.BigDecimal whole = seconds.setScale(0, java.math.RoundingMode.DOWN);
        return java.time.Duration.ofSeconds(whole.longValueExact(), seconds.subtract(whole).movePointRight(9).intValue());
    }

    public static Object durationTextJson(java.time.Duration value) {
        java.time.Duration size = value.abs();
        return (value.isNegative() ? "-" : "") + size.getSeconds() + fraction(size.getNano()) + "s";
    }

    private static void write(Object value, StringBuilder out) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String s) {
            quote(s, out);
        } else if (value instanceof Boolean || value instanceof Number) {
            out.append(value);
        } else if (value instanceof ToJson model) {
            write(model.toJson(), out);
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                quote(String.valueOf(e.getKey()), out);
                out.append(':');
                write(e.getValue(), out);
            }
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(list.get(i), out);
            }
            out.append(']');
        } else {
            throw new IllegalArgumentException("no JSON form for " + value.getClass());
        }
    }

    private static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static final class Reader {
        private final String text;
        private int at;

        Reader(String text) {
            this.text = text;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException(what + " at offset " + at);
        }

        void space() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }

        Object value() {
            space();
            if (at >= text.length()) {
                throw error("unexpected end");
            }
            char c = text.charAt(at);
            if (c == '{') {
                at++;
                Map<String, Object> out = new LinkedHashMap<>();
                space();
                if (text.charAt(at) == '}') {
                    at++;
                    return out;
                }
                while (true) {
                    space();
                    String key = string();
                    space();
                    expect(':');
                    out.put(key, value());
                    space();
                    if (text.charAt(at) == ',') {
                        at++;
                    } else {
                        expect('}');
                        return out;
                    }
                }
            }
            if (c == '[') {
                at++;
                List<Object> out = new ArrayList<>();
                space();
                if (text.charAt(at) == ']') {
                    at++;
                    return out;
                }
                while (true) {
                    out.add(value());
                    space();
                    if (text.charAt(at) == ',') {
                        at++;
                    } else {
                        expect(']');
                        return out;
                    }
                }
            }
            if (c == '"') {
                return string();
            }
            if (text.startsWith("true", at)) {
                at += 4;
                return Boolean.TRUE;
            }
            if (text.startsWith("false", at)) {
                at += 5;
                return Boolean.FALSE;
            }
            if (text.startsWith("null", at)) {
                at += 4;
                return null;
            }
            int start = at;
            while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
            if (start == at) {
                throw error("unexpected character");
            }
            return new java.math.BigDecimal(text.substring(start, at));
        }

        void expect(char c) {
            if (at >= text.length() || text.charAt(at) != c) {
                throw error("expected '" + c + "'");
            }
            at++;
        }

        String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                if (at >= text.length()) {
                    throw error("unterminated string");
                }
                char c = text.charAt(at++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char e = text.charAt(at++);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                        at += 4;
                    }
                    default -> out.append(e);
                }
            }
        }
    }
}
