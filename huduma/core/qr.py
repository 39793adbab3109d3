"""QR codes as inline SVG (no image files, no network): printed on tickets and shown on screen."""

import io

import qrcode
import qrcode.image.svg


def qr_svg(data: str, *, box_size: int = 8) -> str:
    image = qrcode.make(
        data, image_factory=qrcode.image.svg.SvgPathImage, box_size=box_size, border=2
    )
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]
