"""One Landsat-8/9 QA decoder for the pre-collection, Collection 1 and Collection 2 layouts.

Collection 2 values are the QA_PIXEL values of the USGS Landsat 8-9 Collection 2 Level 2
Science Product Guide (LSDS-1619, QA_PIXEL value interpretations); Collection 1 values those of
the USGS Landsat Collection 1 Level-1 QA band page; each is rebuilt here from its bits.
"""
import numpy as np
import pytest

from groklst.fileio.landsat8_qa import (QA_FIELDS, cloud_mask, decode_qa, detect_qa_layout,
                                        no_data_mask)

LOW = 1


def c2(fill=0, dilated=0, cirrus=0, cloud=0, shadow=0, snow=0, clear=0, water=0,
       cloud_conf=LOW, shadow_conf=LOW, snow_conf=LOW, cirrus_conf=LOW):
    """A QA_PIXEL value from its bits (LSDS-1619 bit index)."""
    return (fill | dilated << 1 | cirrus << 2 | cloud << 3 | shadow << 4 | snow << 5 |
            clear << 6 | water << 7 | cloud_conf << 8 | shadow_conf << 10 | snow_conf << 12 |
            cirrus_conf << 14)


# name: (value, documented decimal or None)
C2_PIXELS = {
    'fill': (1, 1),
    'clear_land': (c2(clear=1), 21824),
    'clear_water': (c2(clear=1, water=1), 21952),
    'cloud_high': (c2(cloud=1, cloud_conf=3), 22280),
    'clear_shadow_high': (c2(shadow=1, clear=1, shadow_conf=3), 23888),
    'clear_snow_high': (c2(snow=1, clear=1, snow_conf=3), 30048),
    'clear_cirrus_high': (c2(cirrus=1, clear=1, cirrus_conf=3), 54596),
    'cloud_and_cirrus_high': (c2(cirrus=1, cloud=1, cloud_conf=3, cirrus_conf=3), 55052),
    'dilated_cloud': (c2(dilated=1), None),
    'cloud_medium': (c2(cloud_conf=2), None),
}


def test_collection2_bit_patterns_decode():
    for name, (value, documented) in C2_PIXELS.items():
        if documented is not None:
            assert value == documented, name
    names = list(C2_PIXELS)
    qa = np.array([C2_PIXELS[n][0] for n in names], np.uint16).reshape(2, 5)
    f = decode_qa(qa, 'collection2')
    assert set(f) == set(QA_FIELDS['collection2'])
    assert all(v.shape == (2, 5) for v in f.values())

    def at(field):
        return dict(zip(names, f[field].ravel().tolist()))

    assert at('fill')['fill'] and sum(at('fill').values()) == 1
    assert [n for n, v in at('clear').items() if v] == [
        'clear_land', 'clear_water', 'clear_shadow_high', 'clear_snow_high', 'clear_cirrus_high']
    assert [n for n, v in at('water').items() if v] == ['clear_water']
    assert [n for n, v in at('cloud').items() if v] == ['cloud_high', 'cloud_and_cirrus_high']
    assert [n for n, v in at('cirrus').items() if v] == ['clear_cirrus_high',
                                                         'cloud_and_cirrus_high']
    assert [n for n, v in at('cloud_shadow').items() if v] == ['clear_shadow_high']
    assert [n for n, v in at('snow').items() if v] == ['clear_snow_high']
    assert [n for n, v in at('dilated_cloud').items() if v] == ['dilated_cloud']
    assert at('cloud_confidence')['cloud_high'] == 3 and at('cloud_confidence')['clear_land'] == 1
    assert at('cloud_confidence')['cloud_medium'] == 2 and at('cloud_confidence')['fill'] == 0
    assert at('cirrus_confidence')['clear_cirrus_high'] == 3
    assert at('cloud_shadow_confidence')['clear_shadow_high'] == 3
    assert at('snow_ice_confidence')['clear_snow_high'] == 3
    assert f['cloud_confidence'].dtype == np.uint8 and f['cloud'].dtype == bool


def test_collection2_cloud_mask_and_optional_flags():
    names = list(C2_PIXELS)
    qa = np.array([C2_PIXELS[n][0] for n in names], np.uint16)
    mask, layout = cloud_mask(qa, 'auto', qa_band='QA_PIXEL')
    assert layout == 'collection2'
    assert [n for n, m in zip(names, mask) if m] == [
        'fill', 'cloud_high', 'clear_cirrus_high', 'cloud_and_cirrus_high', 'cloud_medium']
    mask, _ = cloud_mask(qa, 'collection2', cloud_min_confidence=3, cirrus_min_confidence=None,
                         also=('dilated_cloud', 'cloud_shadow'))
    assert [n for n, m in zip(names, mask) if m] == [
        'fill', 'cloud_high', 'clear_shadow_high', 'cloud_and_cirrus_high', 'dilated_cloud']
    with pytest.raises(ValueError, match="no single-bit field 'cloud_confidence'"):
        cloud_mask(qa, 'collection2', also=('cloud_confidence',))
    with pytest.raises(ValueError, match="no single-bit field 'dropped_frame'"):
        cloud_mask(qa, 'collection2', also=('dropped_frame',))


def test_collection1_bits_and_layout_detection():
    clear, cloud_high, cirrus_high, saturated = 2720, 2800, 6816, 2724
    assert clear == 1 << 5 | 1 << 7 | 1 << 9 | 1 << 11  # all confidences low
    assert cloud_high == 1 << 4 | 3 << 5 | 1 << 7 | 1 << 9 | 1 << 11
    assert cirrus_high == 1 << 5 | 1 << 7 | 1 << 9 | 3 << 11
    assert saturated == clear | 1 << 2  # one or two saturated bands
    qa = np.array([1, 2, clear, cloud_high, cirrus_high, saturated], np.uint16)
    assert detect_qa_layout(qa) == 'collection1'
    f = decode_qa(qa, 'collection1')
    assert f['fill'].tolist() == [True, False, False, False, False, False]
    assert f['terrain_occlusion'].tolist() == [False, True, False, False, False, False]
    assert f['cloud'].tolist() == [False, False, False, True, False, False]
    assert f['cloud_confidence'].tolist() == [0, 0, 1, 3, 1, 1]
    assert f['cirrus_confidence'].tolist() == [0, 0, 1, 1, 3, 1]
    assert f['cloud_shadow_confidence'].tolist() == [0, 0, 1, 1, 1, 1]
    assert f['radiometric_saturation'].tolist() == [0, 0, 0, 0, 0, 1]
    mask, layout = cloud_mask(qa)
    assert layout == 'collection1' and mask.tolist() == [True, True, False, True, True, False]
    # bits 13-15 are unused in Collection 1: such a band is refused, and 'auto' reads it as
    # pre-collection
    pre = np.array([2720 | 1 << 14], np.uint16)
    with pytest.raises(ValueError, match='bits 13-15.*pre-collection'):
        decode_qa(pre, 'collection1')
    assert detect_qa_layout(pre) == 'precollection'


def test_precollection_no_data_flags():
    # fill, dropped frame, terrain occlusion, clear (cloud and cirrus "no")
    qa = np.array([1, 2, 4, 1 << 14 | 1 << 12], np.uint16)
    f = decode_qa(qa, 'precollection')
    assert no_data_mask(f).tolist() == [True, True, True, False]
    mask, layout = cloud_mask(qa, 'auto')
    assert layout == 'precollection' and mask.tolist() == [True, True, True, False]


def test_bad_qa_input_is_one_clear_error():
    with pytest.raises(ValueError, match='QA band must be integer, got float32'):
        decode_qa(np.zeros(3, np.float32), 'collection2')
    with pytest.raises(ValueError, match='16-bit unsigned'):
        decode_qa(np.array([-1, 5]), 'collection2')
    with pytest.raises(ValueError, match='16-bit unsigned'):
        decode_qa(np.array([70000]), 'precollection')
    with pytest.raises(ValueError, match="unknown QA layout 'collection3'"):
        decode_qa(np.zeros(3, np.uint16), 'collection3')
    with pytest.raises(ValueError, match="unknown Landsat QA band 'QA_RADSAT'"):
        detect_qa_layout(np.zeros(3, np.uint16), 'QA_RADSAT')
    with pytest.raises(ValueError, match='cloud_min_confidence must be 1, 2, 3 or None'):
        cloud_mask(np.zeros(3, np.uint16), 'collection2', cloud_min_confidence=4)
