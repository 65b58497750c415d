# Independent vectors for test_mac.c: python3 cryptography (AES-CTR) and
# hashlib/hmac, built from RFC 4253 6 / 6.4, RFC 4344 and OpenSSH PROTOCOL 1.7.
import hashlib, hmac, struct
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

def ctr(key, iv):
    return Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()

# NIST SP 800-38A F.5.1/F.5.3/F.5.5 (CTR-AESxxx.Encrypt), to cross-check the constants.
pt = bytes.fromhex('6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51'
                   '30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710')
ctr0 = bytes.fromhex('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff')
for k in ('2b7e151628aed2a6abf7158809cf4f3c',
          '8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b',
          '603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4'):
    print('ctr', len(k) * 4, ctr(bytes.fromhex(k), ctr0).update(pt).hex())

# RFC 4231 test cases 1, 2, 6 and RFC 2202 cases 1, 2 (cross-check).
for key, data in ((b'\x0b' * 20, b'Hi There'), (b'Jefe', b'what do ya want for nothing?'),
                  (b'\xaa' * 131, b'Test Using Larger Than Block-Size Key - Hash Key First')):
    for h in ('sha1', 'sha256', 'sha512'):
        print('hmac', h, key[:4].hex(), hmac.new(key, data, h).hexdigest())

# Two consecutive packets (seq 5 and 6) on one aes128-ctr stream.
key = bytes(range(0x10, 0x20))
iv = bytes(range(0x30, 0x40))
payload = b'\x05' + struct.pack('>I', 12) + b'ssh-userauth'   # 17 bytes

def packet(etm):
    # E&M: 4 + 1 + 17 + pad multiple of 16 -> pad 10; ETM: 1 + 17 + pad multiple of 16 -> pad 14
    pad = 14 if etm else 10
    body = struct.pack('>B', pad) + payload + bytes(range(0xc0, 0xc0 + pad))
    return struct.pack('>I', len(body)) + body

def em(mackey, hname):
    enc = ctr(key, iv)
    out = []
    for seq in (5, 6):
        p = packet(False)
        mac = hmac.new(mackey, struct.pack('>I', seq) + p, hname).digest()
        out.append(enc.update(p) + mac)
    return out

def etm(mackey, hname):
    enc = ctr(key, iv)
    out = []
    for seq in (5, 6):
        p = packet(True)
        c = p[:4] + enc.update(p[4:])
        out.append(c + hmac.new(mackey, struct.pack('>I', seq) + c, hname).digest())
    return out

print('plain em', packet(False).hex())
print('plain etm', packet(True).hex())
k20 = bytes(range(0x50, 0x64))
k32 = bytes(range(0x60, 0x80))
for i, v in enumerate(em(k20, 'sha1')):
    print('hmac-sha1', i, v.hex())
for i, v in enumerate(etm(k32, 'sha256')):
    print('hmac-sha2-256-etm', i, v.hex())
for i, v in enumerate(em(k32, 'sha256')):
    print('hmac-sha2-256', i, v.hex())
