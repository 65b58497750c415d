256 SHA256:PT/zhrKrO2v461DLiRjJnb7qSExHzidpglvRWfjypHk test (ED25519)
