"""Flash bytes of an ARM ELF: the sum of allocated sections that occupy file space
(.vector_table, .text, .rodata, .data's load image). Needs no ARM binutils.
`elf_flash.py FILE --ram` prints the static RAM instead (.data, .bss, .uninit: allocated
sections that are writable)."""
import struct
import sys


def flash_bytes(path, ram=False):
    b = open(path, "rb").read()
    assert b[:4] == b"\x7fELF" and b[4] == 1, "expects a 32-bit ELF"
    shoff, = struct.unpack_from("<I", b, 0x20)
    shentsize, shnum = struct.unpack_from("<HH", b, 0x2E)
    total = 0
    for i in range(shnum):
        _, sh_type, flags, _, _, size = struct.unpack_from("<IIIIII", b, shoff + i * shentsize)
        if ram and flags & 0x3 == 0x3:  # SHF_WRITE | SHF_ALLOC
            total += size
        elif not ram and sh_type == 1 and flags & 0x2:  # SHT_PROGBITS, SHF_ALLOC
            total += size
    return total


if __name__ == "__main__":
    print(flash_bytes(sys.argv[1], ram="--ram" in sys.argv[2:]))
