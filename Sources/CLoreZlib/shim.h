#ifndef LORE_CLOREZLIB_SHIM_H
#define LORE_CLOREZLIB_SHIM_H
// zlib's raw inflate and CRC-32 for the zip entries of DOCX, ODT and EPUB files, wrapped so that Swift
// never sees a z_stream or the inflateInit2 macro. One call inflates a whole entry already in memory and
// says why it stopped; nothing is streamed, so there is no loop on the Swift side that could wait for
// input that never comes.
#include <zlib.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef enum {
    LORE_INFLATE_OK = 0,         // the deflate stream ended; *produced bytes are its whole output
    LORE_INFLATE_TRUNCATED = 1,  // the input ran out before the stream's end
    LORE_INFLATE_DATA_ERROR = 2, // the bytes are not a valid deflate stream
    LORE_INFLATE_TOO_LARGE = 3,  // the stream holds more than the room given
    LORE_INFLATE_NO_MEMORY = 4,  // zlib could not allocate its state
} lore_inflate_status;

// The one inflate loop. Output goes to dst (dstCap bytes), or, when dst is NULL, into a scratch buffer
// that is overwritten: then the bytes are only counted, up to dstCap.
//
// It cannot loop forever: every round either returns or moves zlib forward, by at least one input byte
// consumed or one output byte written. Input is srcLen bytes and output stops at dstCap + 1, so the
// rounds are bounded. A round in which zlib moves neither way (its Z_BUF_ERROR) ends the call: with all
// input handed over, that is a truncated stream.
//
// Once dstCap bytes are out, inflate gets one spare byte of room: if the stream writes into it, the
// entry is larger than dstCap; if the stream ends without writing, it fit exactly.
static inline lore_inflate_status lore_inflate_run(const void *src, size_t srcLen, unsigned char *dst,
                                                   size_t dstCap, size_t *produced) {
    *produced = 0;
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    // Negative window bits: raw deflate, no zlib header or Adler-32 trailer, as zip stores it.
    if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) return LORE_INFLATE_NO_MEMORY;
    const unsigned char *next = (const unsigned char *)src;
    size_t unread = srcLen;  // input not yet handed to zlib, whose counters are 32-bit
    size_t total = 0;
    unsigned char scratch[16384];
    unsigned char spare;
    lore_inflate_status status;
    for (;;) {
        if (stream.avail_in == 0 && unread > 0) {
            uInt chunk = unread > UINT_MAX ? UINT_MAX : (uInt)unread;
            stream.next_in = (Bytef *)next;
            stream.avail_in = chunk;
            next += chunk;
            unread -= chunk;
        }
        size_t left = dstCap - total;
        uInt room;
        if (left == 0) {
            stream.next_out = &spare;
            room = 1;
        } else if (dst == NULL) {
            stream.next_out = scratch;
            room = left < sizeof scratch ? (uInt)left : (uInt)sizeof scratch;
        } else {
            stream.next_out = dst + total;
            room = left > UINT_MAX ? UINT_MAX : (uInt)left;
        }
        stream.avail_out = room;
        uInt inBefore = stream.avail_in;
        int result = inflate(&stream, Z_NO_FLUSH);
        size_t wrote = room - stream.avail_out;
        if (left == 0 && wrote > 0) { status = LORE_INFLATE_TOO_LARGE; break; }
        total += wrote;
        if (result == Z_STREAM_END) { status = LORE_INFLATE_OK; break; }
        if (result == Z_MEM_ERROR) { status = LORE_INFLATE_NO_MEMORY; break; }
        if (result != Z_OK && result != Z_BUF_ERROR) { status = LORE_INFLATE_DATA_ERROR; break; }
        if (wrote == 0 && stream.avail_in == inBefore) {
            // With input and room both there zlib always moves; stalling with input left would be a zlib
            // fault, and is reported as bad data rather than retried.
            status = stream.avail_in == 0 && unread == 0 ? LORE_INFLATE_TRUNCATED : LORE_INFLATE_DATA_ERROR;
            break;
        }
    }
    inflateEnd(&stream);
    *produced = total;
    return status;
}

// The CRC-32 zip records for an entry (zlib's, the same polynomial).
static inline uint32_t lore_crc32(const void *bytes, size_t length) {
    uLong crc = crc32(0L, Z_NULL, 0);
    const unsigned char *next = (const unsigned char *)bytes;
    while (length > 0) {
        uInt chunk = length > UINT_MAX ? UINT_MAX : (uInt)length;
        crc = crc32(crc, next, chunk);
        next += chunk;
        length -= chunk;
    }
    return (uint32_t)crc;
}

// Inflates the raw deflate stream src[0, srcLen) into dst, which has room for dstCap bytes. *produced is
// how many bytes were written (at most dstCap, whatever the status) and *crc their CRC-32.
static inline lore_inflate_status lore_inflate_raw(const void *src, size_t srcLen, void *dst, size_t dstCap,
                                                   size_t *produced, uint32_t *crc) {
    lore_inflate_status status = lore_inflate_run(src, srcLen, (unsigned char *)dst, dst == NULL ? 0 : dstCap,
                                                  produced);
    *crc = lore_crc32(dst, *produced);
    return status;
}

// Inflates src[0, srcLen) without keeping the output, to learn whether it unpacks to more than `limit`
// bytes (LORE_INFLATE_TOO_LARGE); *produced is the count, at most `limit`. It costs at most `limit` bytes
// of inflating, and 16 KiB of memory whatever the limit.
static inline lore_inflate_status lore_inflate_count(const void *src, size_t srcLen, size_t limit,
                                                     size_t *produced) {
    return lore_inflate_run(src, srcLen, NULL, limit, produced);
}

#endif
