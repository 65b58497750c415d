256 SHA256:gJ+rvhiTKlb9StlMZC4zOBmDuNfhIB+h+OYURJtpsp8 test id_ecdsa256 (ECDSA)
