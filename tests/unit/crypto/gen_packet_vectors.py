# Independent packet vectors: python3 cryptography, built from the specs.
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from cryptography.hazmat.primitives.poly1305 import Poly1305
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
import struct

def chacha(key, ctr, seq, data):
    iv = struct.pack('<Q', ctr) + struct.pack('>Q', seq)  # DJB 64/64 layout
    return Cipher(algorithms.ChaCha20(key, iv), None).encryptor().update(data)

def cp_seal(k64, seq, pkt):
    k2, k1 = k64[:32], k64[32:]
    enc_len = chacha(k1, 0, seq, pkt[:4])
    enc_body = chacha(k2, 1, seq, pkt[4:])
    polykey = chacha(k2, 0, seq, bytes(32))
    tag = Poly1305.generate_tag(polykey, enc_len + enc_body)
    return enc_len + enc_body + tag

payload = b'\x05' + struct.pack('>I', 12) + b'ssh-userauth'
padlen = 6
pkt = struct.pack('>IB', 1 + len(payload) + padlen, padlen) + payload + bytes(range(0xa0, 0xa0 + padlen))
k64 = bytes(range(0x40, 0x80))
print('cp key', k64.hex())
print('pkt', pkt.hex())
for seq in (0, 7, 0xfffffffe):
    print('cp seq', seq, cp_seal(k64, seq, pkt).hex())

def gcm(key, iv, pkt):
    return pkt[:4] + AESGCM(key).encrypt(iv, pkt[4:], pkt[:4])

# aes-gcm: packet_length must make (len-4) a multiple of 16
padlen = 14
pkt = struct.pack('>IB', 1 + len(payload) + padlen, padlen) + payload + bytes(range(0xb0, 0xb0 + padlen))
print('gcm pkt', pkt.hex())
iv = bytes.fromhex('0a0b0c0d00000000ffffffff')
iv2 = bytes.fromhex('0a0b0c0d0000000100000000')
for key in (bytes(range(0x10, 0x20)), bytes(range(0x20, 0x40))):
    print('gcm key', key.hex())
    print('gcm 1', gcm(key, iv, pkt).hex())
    print('gcm 2', gcm(key, iv2, pkt).hex())
