import {
  cidrProblem,
  contains,
  formatCidr,
  hasHostBits,
  isPrivate,
  isTrustedIngressSource,
  networkOf,
  parseCidr,
  type Cidr,
} from '../lib/cidr';

const cidr = (text: string): Cidr => {
  const c = parseCidr(text);
  if (!c) throw new Error(`not a CIDR: ${text}`);
  return c;
};

describe('parseCidr', () => {
  test.each([
    ['10.20.0.0/16', '10.20.0.0/16'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['255.255.255.255/32', '255.255.255.255/32'],
    ['::/0', '::/0'],
    ['FD00:0:0:0:0:0:0:0/8', 'fd00::/8'],
    ['2001:db8:0:0:1:0:0:1/128', '2001:db8::1:0:0:1/128'],
    ['2001:0db8::0001/128', '2001:db8::1/128'],
    ['::ffff:10.0.0.1/128', '::ffff:a00:1/128'],
    ['1:2:3:4:5:6:7:8/64', '1:2:3:4:5:6:7:8/64'],
    ['fe80::/10', 'fe80::/10'],
  ])('reads %s as %s', (text, canonical) => {
    expect(formatCidr(cidr(text))).toBe(canonical);
  });

  test.each([
    '10.0.0.0',
    '10.0.0/8',
    '10.0.0.256/8',
    '10.0.0.01/32',
    '10.0.0.0/33',
    '10.0.0.0/08',
    '::/129',
    '1::2::3/64',
    '1:2:3:4:5:6:7:8:9/64',
    '1:2:3:4:5:6:7/64',
    'fe80::1%eth0/64',
    '12345::/16',
    '1.2.3.4::/64',
    ' 10.0.0.0/8',
  ])('fails when %j is not a CIDR', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });
});

describe('networks', () => {
  test('clear host bits, and say when there were some', () => {
    expect(hasHostBits(cidr('10.0.0.5/24'))).toBe(true);
    expect(formatCidr(networkOf(cidr('10.0.0.5/24')))).toBe('10.0.0.0/24');
    expect(hasHostBits(cidr('10.0.0.0/24'))).toBe(false);
    expect(formatCidr(networkOf(cidr('fd00::1/64')))).toBe('fd00::/64');
  });

  test('contain the ranges inside them, of their own version only', () => {
    expect(contains(cidr('10.0.0.0/8'), cidr('10.20.0.0/16'))).toBe(true);
    expect(contains(cidr('10.20.0.0/16'), cidr('10.0.0.0/8'))).toBe(false);
    expect(contains(cidr('10.0.0.0/8'), cidr('11.0.0.0/16'))).toBe(false);
    expect(contains(cidr('::/0'), cidr('10.0.0.0/8'))).toBe(false);
  });

  test.each([
    ['10.0.0.0/8', true],
    ['172.16.0.0/12', true],
    ['172.31.255.0/24', true],
    ['192.168.1.0/24', true],
    ['fd00:10::/64', true],
    ['fc00::/7', true],
    ['10.0.0.0/7', false],
    ['172.32.0.0/16', false],
    ['8.8.8.0/24', false],
    ['2001:db8::/32', false],
    ['fe80::/10', false],
  ])('%s is private: %s', (text, expected) => {
    expect(isPrivate(cidr(text))).toBe(expected);
  });
});

describe('isTrustedIngressSource', () => {
  test.each([
    ['10.20.0.0/16', true],
    ['35.191.0.0/16', true],
    ['35.191.8.0/24', true],
    ['130.211.0.0/22', true],
    ['35.190.0.0/15', false],
    ['130.211.4.0/22', false],
    ['8.8.8.0/24', false],
  ])('%s may be a production ingress peer: %s', (text, expected) => {
    expect(isTrustedIngressSource(cidr(text))).toBe(expected);
  });
});

describe('cidrProblem', () => {
  test.each([
    ['10.0.0.0/0', /prefix \/0 is every IPv4 address/],
    ['::/0', /prefix \/0 is every IPv6 address/],
    ['10.0.0.5/24', /host bits are set beyond \/24; allowed: the network 10\.0\.0\.0\/24, or \/32/],
    ['fd00::1/64', /allowed: the network fd00::\/64, or \/128/],
    ['nonsense', /not an IPv4 or IPv6 CIDR/],
  ])('fails when the peer is %s', (text, message) => {
    expect(cidrProblem(text)).toMatch(message);
  });

  test('passes a network', () => {
    expect(cidrProblem('10.20.0.0/24')).toBeUndefined();
  });
});
